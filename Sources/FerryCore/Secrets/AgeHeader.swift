import Crypto
import Foundation

/// One recipient stanza of an age header: `-> TYPE ARGS…` and its body.
struct AgeStanza: Sendable, Equatable {
    var type: String
    var arguments: [String]
    var body: Data
}

/// The text header of an age v1 file: the stanzas, each wrapping the file key for one
/// recipient, and the MAC over them (C2SP age spec, "Header").
struct AgeHeader: Sendable {
    static let versionLine = "age-encryption.org/v1"

    var stanzas: [AgeStanza]
    /// The header's MAC, as read (empty for a header being written).
    var mac: Data = Data()
    /// The bytes the MAC covers: from the version line through `---`.
    var authenticatedBytes: Data = Data()

    /// Parses the header at the start of `data`; returns it and where the payload starts.
    /// - Throws: ``AgeError`` (`malformed`) naming what is wrong.
    static func parse(_ data: Data) throws(AgeError) -> (header: AgeHeader, payloadStart: Int) {
        var reader = HeaderLineReader(data: data)
        guard try reader.line() == versionLine else {
            throw AgeError(.malformed, "not an age file: it does not start with \(versionLine)")
        }
        var stanzas: [AgeStanza] = []
        while true {
            let lineStart = reader.position
            let line = try reader.line()
            if line.hasPrefix("---") {
                guard line.hasPrefix("--- "), let mac = Base64Unpadded.decode(String(line.dropFirst(4))), mac.count == 32 else {
                    throw AgeError(.malformed, "the age header's MAC line is malformed")
                }
                let authenticated = data.prefix(lineStart + 3)
                guard !stanzas.isEmpty else { throw AgeError(.malformed, "the age header has no recipient stanza") }
                return (AgeHeader(stanzas: stanzas, mac: mac, authenticatedBytes: Data(authenticated)), reader.position)
            }
            guard line.hasPrefix("-> ") else {
                throw AgeError(.malformed, "the age header has a line that is neither a stanza nor its MAC")
            }
            let words = line.dropFirst(3).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard let type = words.first, words.allSatisfy({ !$0.isEmpty }) else {
                throw AgeError(.malformed, "an age stanza has an empty argument")
            }
            var body = Data()
            while true {
                let bodyLine = try reader.line()
                guard bodyLine.count <= 64, let chunk = Base64Unpadded.decode(bodyLine) else {
                    throw AgeError(.malformed, "an age stanza's body is not canonical base64 in lines of 64 columns")
                }
                body += chunk
                if bodyLine.count < 64 { break }
            }
            stanzas.append(AgeStanza(type: type, arguments: Array(words.dropFirst()), body: body))
        }
    }

    /// The header as written, MAC computed with `fileKey`'s header key.
    func encoded(fileKey: SymmetricKey) -> Data {
        var text = AgeHeader.versionLine + "\n"
        for stanza in stanzas {
            text += (["->", stanza.type] + stanza.arguments).joined(separator: " ") + "\n"
            // Full lines of 64 columns, then a shorter final line (empty when the body
            // fills its last line exactly, or is empty).
            var rest = Substring(Base64Unpadded.encode(stanza.body))
            while rest.count >= 64 {
                text += rest.prefix(64) + "\n"
                rest = rest.dropFirst(64)
            }
            text += rest + "\n"
        }
        text += "---"
        let mac = AgeHeader.mac(of: Data(text.utf8), fileKey: fileKey)
        return Data((text + " " + Base64Unpadded.encode(mac) + "\n").utf8)
    }

    /// Checks the MAC with `fileKey`.
    func verify(fileKey: SymmetricKey) throws(AgeError) {
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: authenticatedBytes, using: AgeHeader.macKey(fileKey)) else {
            throw AgeError(.headerMACMismatch, "the age header's MAC does not match: the file was changed after it was encrypted")
        }
    }

    private static func macKey(_ fileKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: Data(), info: Data("header".utf8), outputByteCount: 32)
    }

    private static func mac(of bytes: Data, fileKey: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: bytes, using: macKey(fileKey)))
    }
}

/// Reads `\n`-terminated ASCII lines from the start of the header.
private struct HeaderLineReader {
    let data: Data
    var position = 0

    mutating func line() throws(AgeError) -> String {
        let start = data.startIndex + position
        guard let end = data[start...].firstIndex(of: 0x0a) else {
            throw AgeError(.malformed, "the age header ends early")
        }
        let bytes = data[start..<end]
        guard bytes.allSatisfy({ (0x20...0x7e).contains($0) }) else {
            throw AgeError(.malformed, "the age header holds a byte that is not printable ASCII")
        }
        position = end + 1 - data.startIndex
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Standard base64 without padding, as the age header writes it; decoding refuses
/// non-canonical text.
enum Base64Unpadded {
    static func encode(_ data: Data) -> String {
        var text = data.base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: String) -> Data? {
        guard !text.contains("=") else { return nil }
        let padded = text + String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: padded), encode(data) == text else { return nil }
        return data
    }
}
