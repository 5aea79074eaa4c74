import Crypto
import Foundation

/// One value SOPS encrypted: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`, AES-256-GCM
/// under the file's data key with a 32-byte IV.
struct SopsValue: Sendable, Equatable {
    var ciphertext: Data
    var iv: Data
    var tag: Data
    /// `str`, `int`, `float`, `bool`, `bytes` or `comment`.
    var type: String

    /// Whether `text` is an encrypted value at all (values under `unencrypted_suffix` are not).
    static func isEncrypted(_ text: String) -> Bool { text.hasPrefix("ENC[") && text.hasSuffix("]") }

    /// Parses `text`.
    /// - Throws: ``SopsError`` when it is not a well-formed AES256_GCM value.
    init(_ text: String) throws(SopsError) {
        guard text.hasPrefix("ENC[AES256_GCM,"), text.hasSuffix("]") else {
            throw SopsError("a value is not ENC[AES256_GCM,…]: the file was not written by SOPS, or by an unsupported cipher")
        }
        var fields: [String: String] = [:]
        for field in text.dropFirst("ENC[AES256_GCM,".count).dropLast().split(separator: ",") {
            guard let colon = field.firstIndex(of: ":") else { continue }
            fields[String(field[..<colon])] = String(field[field.index(after: colon)...])
        }
        guard let data = fields["data"].flatMap({ Data(base64Encoded: $0) }), let iv = fields["iv"].flatMap({ Data(base64Encoded: $0) }),
              let tag = fields["tag"].flatMap({ Data(base64Encoded: $0) }), iv.count >= 12, tag.count == 16
        else {
            throw SopsError("an ENC[…] value is missing its data, iv or tag, or they are not base64")
        }
        (ciphertext, self.iv, self.tag, type) = (data, iv, tag, fields["type"] ?? "str")
    }

    /// The plaintext, authenticated with `additionalData` (the key path, `a:b:`).
    /// - Throws: ``SopsError`` when the key is wrong or the value or its place was changed.
    func decrypt(with key: SymmetricKey, additionalData: String, place: String) throws(SopsError) -> String {
        do {
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
            return String(decoding: try AES.GCM.open(box, using: key, authenticating: Data(additionalData.utf8)), as: UTF8.self)
        } catch {
            throw SopsError("\(place) fails authentication: the value was changed or moved after SOPS encrypted it")
        }
    }
}

/// A SOPS file that cannot be used, and why.
struct SopsError: Error, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
