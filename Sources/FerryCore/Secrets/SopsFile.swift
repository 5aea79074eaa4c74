import Crypto
import FerryConfig
import Foundation

/// A SOPS file with age recipients, opened with the agent's identities: the data key from
/// `sops.age[].enc`, the MAC over every value checked, then values read by key path.
struct SopsFile {
    private let entries: [SopsDocument.Entry]
    private let dataKey: SymmetricKey

    /// Opens `document` and checks its MAC.
    /// - Throws: ``SopsError`` for missing metadata, no matching identity, a value that fails
    ///   authentication, or a MAC that does not match (a value added, removed or reordered).
    init(_ document: SopsDocument, format: SopsDocument.Format, identities: [AgeIdentity]) throws(SopsError) {
        let metadata = try SopsMetadata(document, format: format)
        entries = document.entries.filter { !metadata.isMetadata($0.key) }
        dataKey = try metadata.dataKey(identities)
        try checkMAC(metadata)
    }

    /// The value at `keyPath` (nested keys joined with `.`).
    /// - Throws: ``SopsError`` when there is no such key or it holds a mapping or list.
    func value(at keyPath: String) throws(SopsError) -> String {
        let keys = keyPath.split(separator: ".").map(String.init)
        var current = SopsDocument.Value.mapping(entries)
        for key in keys {
            guard case .mapping(let children) = current, let child = children.last(where: { $0.key == key }) else {
                throw SopsError("it has no key \(keyPath)")
            }
            current = child.value
        }
        guard case .scalar(let text, _) = current else {
            throw SopsError("\(keyPath) holds a mapping or a list, not one value")
        }
        guard SopsValue.isEncrypted(text) else { return text }
        return try SopsValue(text).decrypt(with: dataKey, additionalData: keys.joined(separator: ":") + ":", place: keyPath)
    }

    /// Recomputes SOPS's MAC: SHA-512 over every value in order (comments excluded; values
    /// left unencrypted excluded too with `mac_only_encrypted`), as uppercase hex, compared with
    /// `sops.mac` decrypted with `lastmodified` as additional data.
    private func checkMAC(_ metadata: SopsMetadata) throws(SopsError) {
        var hash = SHA512()
        try walk(.mapping(entries), path: []) { bytes, encrypted in
            if encrypted || !metadata.macOnlyEncrypted { hash.update(data: bytes) }
        }
        let computed = hash.finalize().map { String(format: "%02X", $0) }.joined()
        let stored = try SopsValue(metadata.mac).decrypt(with: dataKey, additionalData: metadata.lastModified, place: "its MAC")
        guard stored == computed else {
            throw SopsError("its MAC does not match its values: a value was added, removed or reordered after SOPS wrote it")
        }
    }

    /// Calls `visit` with the bytes SOPS hashes for each value, in document order.
    private func walk(_ value: SopsDocument.Value, path: [String],
                      _ visit: (Data, _ encrypted: Bool) throws(SopsError) -> Void) throws(SopsError) {
        switch value {
        case .comment:
            return
        case .mapping(let children):
            for child in children { try walk(child.value, path: path + [child.key], visit) }
        case .sequence(let items):
            for item in items { try walk(item, path: path, visit) }
        case .scalar(let text, let isPlain):
            guard SopsValue.isEncrypted(text) else {
                try visit(Data(Self.macText(text, type: isPlain ? Self.plainType(text) : "str").utf8), false)
                return
            }
            let encrypted = try SopsValue(text)
            guard encrypted.type != "comment" else { return }
            let plaintext = try encrypted.decrypt(with: dataKey, additionalData: path.joined(separator: ":") + ":",
                                                  place: path.joined(separator: "."))
            try visit(Data(Self.macText(plaintext, type: encrypted.type).utf8), true)
        }
    }

    /// A value as SOPS's MAC spells it: booleans `True`/`False`, everything else as written.
    private static func macText(_ text: String, type: String) -> String {
        guard type == "bool" else { return text }
        return text.lowercased() == "true" ? "True" : "False"
    }

    private static func plainType(_ text: String) -> String {
        ["true", "false"].contains(text.lowercased()) ? "bool" : "str"
    }
}

/// The `sops` section of a file (or the `sops_…` lines of a dotenv file) as far as age needs it.
struct SopsMetadata: Sendable {
    var format: SopsDocument.Format
    /// The data key, age-encrypted (armored) once per recipient.
    var ageKeys: [String]
    var lastModified: String
    var mac: String
    var macOnlyEncrypted: Bool

    init(_ document: SopsDocument, format: SopsDocument.Format) throws(SopsError) {
        self.format = format
        var fields: [String: SopsDocument.Value] = [:]
        var ageKeys: [String] = []
        if format == .dotenv {
            for entry in document.entries where entry.key.hasPrefix("sops_") {
                let name = String(entry.key.dropFirst("sops_".count))
                if name.hasPrefix("age__list_"), name.hasSuffix("__map_enc"), case .scalar(let text, _) = entry.value {
                    ageKeys.append(text.replacingOccurrences(of: "\\n", with: "\n"))
                } else {
                    fields[name] = entry.value
                }
            }
        } else {
            guard case .mapping(let section)? = document.entries.last(where: { $0.key == "sops" })?.value else {
                throw SopsError("it has no sops section: it is not a SOPS-encrypted file")
            }
            for entry in section { fields[entry.key] = entry.value }
            if case .sequence(let recipients)? = fields["age"] {
                for case .mapping(let recipient) in recipients {
                    if case .scalar(let enc, _)? = recipient.last(where: { $0.key == "enc" })?.value { ageKeys.append(enc) }
                }
            }
        }
        guard !ageKeys.isEmpty else {
            throw SopsError("it has no age recipient: Ferry decrypts SOPS files encrypted with age only")
        }
        guard case .scalar(let lastModified, _)? = fields["lastmodified"], case .scalar(let mac, _)? = fields["mac"] else {
            throw SopsError("its sops metadata has no lastmodified or mac")
        }
        self.ageKeys = ageKeys
        self.lastModified = lastModified
        self.mac = mac
        if case .scalar(let flag, _)? = fields["mac_only_encrypted"] { macOnlyEncrypted = flag.lowercased() == "true" } else { macOnlyEncrypted = false }
    }

    /// Whether the top-level key `key` belongs to the metadata rather than the data.
    func isMetadata(_ key: String) -> Bool {
        format == .dotenv ? key.hasPrefix("sops_") : key == "sops"
    }

    /// The file's 32-byte data key, from the first age entry an identity opens.
    func dataKey(_ identities: [AgeIdentity]) throws(SopsError) -> SymmetricKey {
        for armored in ageKeys {
            if let key = try? AgeFile.decrypt(Data(armored.utf8), with: identities), key.count == 32 {
                return SymmetricKey(data: key)
            }
        }
        let recipients = identities.map { "\($0.recipient)" }.joined(separator: ", ")
        throw SopsError("none of its age recipients is the agent's age identity (\(recipients))")
    }
}
