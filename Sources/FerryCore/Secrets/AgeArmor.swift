import Foundation

/// age's ASCII armor: the file in standard padded base64 at 64 columns between
/// `-----BEGIN AGE ENCRYPTED FILE-----` and `-----END AGE ENCRYPTED FILE-----`.
enum AgeArmor {
    static let begin = "-----BEGIN AGE ENCRYPTED FILE-----"
    static let end = "-----END AGE ENCRYPTED FILE-----"

    /// Whether `data` starts (after whitespace) with the armor's first line.
    static func isArmored(_ data: Data) -> Bool {
        let start = data.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }
        return start.starts(with: Data(begin.utf8))
    }

    /// The armored form of `data`.
    static func armor(_ data: Data) -> String {
        let encoded = data.base64EncodedString()
        var lines = [begin]
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        lines.append(end)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bytes inside the armor.
    /// - Throws: ``AgeError`` (`malformed`) when the armor lines or the base64 are wrong.
    static func dearmor(_ data: Data) throws(AgeError) -> Data {
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        guard lines.count >= 2, lines.first == begin, lines.last == end else {
            throw AgeError(.malformed, "the armored age file does not begin with \(begin) and end with \(end)")
        }
        lines = Array(lines.dropFirst().dropLast())
        guard lines.dropLast().allSatisfy({ $0.count == 64 }), (lines.last?.count ?? 0) <= 64,
              let decoded = Data(base64Encoded: lines.joined())
        else {
            throw AgeError(.malformed, "the armored age file's base64 is malformed (lines of 64 columns expected)")
        }
        return decoded
    }
}
