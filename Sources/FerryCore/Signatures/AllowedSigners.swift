import Foundation

/// An allowed-signers file (`gpg.ssh.allowedSignersFile`, `ssh-keygen -Y verify -f`): one
/// entry per line, `principals [options] keytype base64key [comment]`, `#` comments.
///
/// Options: `namespaces="…"`, `valid-after="…"`, `valid-before="…"`. `cert-authority`
/// lines are skipped with a warning: Ferry does not verify certificate signatures.
public struct AllowedSigners: Sendable {
    /// The entries, in file order.
    public let signers: [AllowedSigner]
    /// Lines that were skipped, with where and why (`cert-authority`): the file is still used.
    public let warnings: [AllowedSignersError]

    /// Reads and parses the file at `path`.
    /// - Throws: ``AllowedSignersError`` when it cannot be read or a line is malformed.
    public static func load(path: String, timeZone: TimeZone = .current) throws(AllowedSignersError) -> AllowedSigners {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AllowedSignersError(path: path, line: nil, "cannot be read: \(error.localizedDescription)")
        }
        return try AllowedSigners(text: text, path: path, timeZone: timeZone)
    }

    /// Parses `text`, naming `path` in errors.
    /// - Throws: ``AllowedSignersError`` naming the first malformed line.
    public init(text: String, path: String, timeZone: TimeZone = .current) throws(AllowedSignersError) {
        var signers: [AllowedSigner] = []
        var warnings: [AllowedSignersError] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            do {
                if let signer = try Self.entry(line, number: index + 1, timeZone: timeZone) {
                    signers.append(signer)
                } else {
                    warnings.append(AllowedSignersError(path: path, line: index + 1,
                                                        "cert-authority entries are skipped (certificate signatures are not verified)"))
                }
            } catch {
                throw AllowedSignersError(path: path, line: index + 1, error.description)
            }
        }
        self.signers = signers
        self.warnings = warnings
    }

    /// The entries listing `key`.
    public func entries(for key: SSHPublicKey) -> [AllowedSigner] {
        signers.filter { $0.key.blob == key.blob }
    }

    /// The entry of one line; nil for a `cert-authority` line.
    private static func entry(_ line: String, number: Int, timeZone: TimeZone) throws(SignatureFormatError) -> AllowedSigner? {
        var fields = Tokenizer.fields(line)
        guard fields.count >= 3 else {
            throw SignatureFormatError("expected `principals [options] keytype base64key`, found \(fields.count) field(s)")
        }
        let principals = Tokenizer.unquoted(fields.removeFirst())
        var options: [String: String] = [:]
        if !isKeyType(fields[0]) {
            options = try Tokenizer.options(fields.removeFirst())
        }
        guard fields.count >= 2 else { throw SignatureFormatError("the key is missing after the options") }
        if options["cert-authority"] != nil { return nil }
        let key = try SSHPublicKey(type: fields[0], base64: fields[1])
        var signer = AllowedSigner(principals: principals.split(separator: ",").map(String.init), key: key, line: number)
        for (name, value) in options {
            switch name {
            case "namespaces": signer.namespaces = value.split(separator: ",").map(String.init)
            case "valid-after": signer.validAfter = try time(value, name, timeZone)
            case "valid-before": signer.validBefore = try time(value, name, timeZone)
            default: throw SignatureFormatError("unknown option \(name) (known: namespaces, valid-after, valid-before, cert-authority)")
            }
        }
        return signer
    }

    private static func isKeyType(_ field: String) -> Bool {
        ["ssh-", "ecdsa-", "sk-"].contains { field.hasPrefix($0) }
    }

    private static func time(_ value: String, _ name: String, _ timeZone: TimeZone) throws(SignatureFormatError) -> Date {
        guard let date = AllowedSignerTime.parse(value, timeZone: timeZone) else {
            throw SignatureFormatError("\(name)=\"\(value)\" is not a time YYYYMMDD[HHMM[SS]][Z]")
        }
        return date
    }
}

/// Splits allowed-signers lines the way OpenSSH does: fields separated by blanks outside
/// double quotes; options separated by commas outside double quotes.
private enum Tokenizer {
    static func fields(_ line: String) -> [String] {
        split(line) { $0 == " " || $0 == "\t" }
    }

    /// `name` or `name="value"` options, names lowercased, values unquoted.
    static func options(_ field: String) throws(SignatureFormatError) -> [String: String] {
        var options: [String: String] = [:]
        for option in split(field, where: { $0 == "," }) {
            let parts = option.split(separator: "=", maxSplits: 1)
            let name = parts[0].lowercased()
            guard options[name] == nil else { throw SignatureFormatError("option \(name) is given twice") }
            options[name] = parts.count > 1 ? unquoted(String(parts[1])) : ""
        }
        return options
    }

    static func unquoted(_ text: String) -> String {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }

    private static func split(_ text: String, where isSeparator: (Character) -> Bool) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if !quoted, isSeparator(character) {
                if !current.isEmpty { parts.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}

/// A problem with an allowed-signers file, with where and why: an error when the file cannot
/// be used, a warning (``AllowedSigners/warnings``) for a line that is skipped.
public struct AllowedSignersError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The line, when one line is at fault.
    public var line: Int?
    /// What is wrong.
    public var problem: String

    init(path: String, line: Int?, _ problem: String) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    /// `path:line: problem`.
    public var description: String { line.map { "\(path):\($0): \(problem)" } ?? "\(path): \(problem)" }
}
