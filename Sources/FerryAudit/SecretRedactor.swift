import Foundation

/// The one redaction layer every output of Ferry passes through: the audit log, run and
/// operation reports (text and JSON), errors, and whatever hosts print (health checks, hooks).
///
/// Each secret is replaced with `<redacted>` wherever it appears as is, base64 encoded (padded
/// or not), base64url encoded, or percent-encoded (upper- or lowercase hex), and so is every line
/// of a multi-line secret (a key printed line by line). Longer forms are replaced first, so a
/// secret containing another is replaced whole.
///
/// Values shorter than ``minimumLength`` are never redacted: replacing every `1` or `yes` of a
/// report would make it unreadable while hiding nothing an attacker could not guess; a secret
/// that short is refused by nobody but protects nothing either.
///
/// An encoded form is found only when the secret was encoded on its own (`printf %s "$TOKEN" |
/// base64`); the secret inside a larger encoded blob is out of reach of any text search.
///
/// ```swift
/// var redactor = SecretRedactor()
/// redactor.add(["s3cr3t-token"])
/// redactor.redact("Authorization: Bearer s3cr3t-token")  // "Authorization: Bearer <redacted>"
/// ```
public struct SecretRedactor: Sendable {
    /// What a secret is replaced with.
    public static let placeholder = "<redacted>"
    /// The shortest value redacted, in bytes of UTF-8.
    public static let minimumLength = 4

    /// The secrets as given, for ``add(_:)`` to merge.
    private var secrets: Set<String> = []
    /// Every form of every secret, longest first.
    private var forms: [String] = []

    /// A redactor of `secrets` (see ``add(_:)``).
    public init(secrets: some Sequence<String> = []) {
        add(secrets)
    }

    /// Whether there is nothing to redact.
    public var isEmpty: Bool { forms.isEmpty }

    /// Adds secrets to replace; values shorter than ``minimumLength`` are ignored.
    public mutating func add(_ newSecrets: some Sequence<String>) {
        secrets.formUnion(newSecrets.filter { $0.utf8.count >= Self.minimumLength })
        let all = Set(secrets.flatMap(Self.forms(of:))).filter { $0.utf8.count >= Self.minimumLength }
        forms = all.sorted { ($0.utf8.count, $0) > ($1.utf8.count, $1) }
    }

    /// `text` with every form of every secret replaced by ``placeholder``.
    public func redact(_ text: String) -> String {
        forms.reduce(text) { text, form in
            text.contains(form) ? text.replacingOccurrences(of: form, with: Self.placeholder) : text
        }
    }

    /// The forms a secret may be printed in.
    static func forms(of secret: String) -> [String] {
        var forms = [secret]
        let lines = secret.split(whereSeparator: \.isNewline).map(String.init)
        if lines.count > 1 { forms += lines }
        let base64 = Data(secret.utf8).base64EncodedString()
        let unpadded = String(base64.prefix { $0 != "=" })
        let url = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        forms += [base64, unpadded, url, url + String(repeating: "=", count: base64.count - unpadded.count)]
        forms += [percentEncoded(secret, uppercase: true), percentEncoded(secret, uppercase: false)]
        return forms
    }

    /// Every byte outside RFC 3986's unreserved characters as `%XX`.
    private static func percentEncoded(_ text: String, uppercase: Bool) -> String {
        text.utf8.map { byte -> String in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                String(UnicodeScalar(byte))
            default:
                "%" + String(format: uppercase ? "%02X" : "%02x", byte)
            }
        }.joined()
    }
}
