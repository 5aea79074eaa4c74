import Crypto
import Foundation

/// One file of a release in its manifest, described as Git describes it: a symbolic
/// link's hash and size are those of its target text.
public struct ManifestFile: Codable, Sendable, Hashable {
    /// The SHA-256 of the content (of the target text for a symbolic link), lowercase hex.
    public var sha256: String
    /// The permission bits: 0o644, 0o755, or 0o777 for a symbolic link. Written in octal (`"0644"`).
    public var mode: UInt32
    /// The size in bytes.
    public var size: Int
    /// The target of a symbolic link, nil for a regular file.
    public var symlinkTarget: String?

    /// A file.
    public init(sha256: String, mode: UInt32, size: Int, symlinkTarget: String? = nil) {
        self.sha256 = sha256
        self.mode = mode
        self.size = size
        self.symlinkTarget = symlinkTarget
    }

    /// A regular file holding `contents`.
    public init(contents: Data, mode: UInt32) {
        self.init(sha256: Self.sha256(contents), mode: mode, size: contents.count)
    }

    /// A symbolic link to `target`.
    public init(symlinkTo target: String) {
        self.init(sha256: Self.sha256(Data(target.utf8)), mode: 0o777, size: target.utf8.count, symlinkTarget: target)
    }

    /// The lowercase hex SHA-256 of `data`.
    static func sha256(_ data: Data) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Decodes a file, reading the mode from octal text.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sha256 = try container.decode(String.self, forKey: .sha256)
        size = try container.decode(Int.self, forKey: .size)
        symlinkTarget = try container.decodeIfPresent(String.self, forKey: .symlinkTarget)
        let octal = try container.decode(String.self, forKey: .mode)
        guard let mode = UInt32(octal, radix: 8), mode <= 0o7777 else {
            throw DecodingError.dataCorruptedError(forKey: .mode, in: container, debugDescription: "\"\(octal)\" is not an octal file mode")
        }
        self.mode = mode
    }

    /// Encodes the file, writing the mode as four octal digits.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(size, forKey: .size)
        try container.encodeIfPresent(symlinkTarget, forKey: .symlinkTarget)
        let octal = String(mode, radix: 8)
        try container.encode(String(repeating: "0", count: max(0, 4 - octal.count)) + octal, forKey: .mode)
    }

    private enum CodingKeys: String, CodingKey {
        case sha256, mode, size
        case symlinkTarget = "target"
    }
}
