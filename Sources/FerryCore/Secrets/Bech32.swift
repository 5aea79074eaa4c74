import Foundation

/// Bech32 (BIP 173), as age spells its keys: `age1…` recipients, `AGE-SECRET-KEY-1…`
/// identities. age lifts BIP 173's 90-character limit; the checksum is the original
/// Bech32 one (not Bech32m). Upper- or lowercase, never mixed.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    /// `data` under the human-readable part `hrp`, in lowercase (callers uppercase identities).
    static func encode(hrp: String, data: Data) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        let values = convertBits(Array(data), from: 8, to: 5, pad: true) ?? []
        let checksum = checksum(hrp: hrpBytes, values: values)
        let body = (values + checksum).map { alphabet[Int($0)] }
        return String(decoding: hrpBytes + [UInt8(ascii: "1")] + body, as: UTF8.self)
    }

    /// The human-readable part (lowercased) and the data of `text`.
    /// - Throws: ``AgeError`` (`invalidKey`) for mixed case, characters outside the
    ///   alphabet, a bad checksum or padding.
    static func decode(_ text: String) throws(AgeError) -> (hrp: String, data: Data) {
        let bytes = Array(text.utf8)
        let hasLower = bytes.contains { (0x61...0x7a).contains($0) }
        let hasUpper = bytes.contains { (0x41...0x5a).contains($0) }
        guard !(hasLower && hasUpper), bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw AgeError(.invalidKey, "the key mixes upper- and lowercase or holds characters Bech32 does not use")
        }
        let lower = bytes.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator >= 1, lower.count - separator - 1 >= 6 else {
            throw AgeError(.invalidKey, "the key is not Bech32: no separator or too short")
        }
        let hrp = Array(lower[..<separator])
        var values: [UInt8] = []
        for byte in lower[(separator + 1)...] {
            guard let index = alphabet.firstIndex(of: byte) else {
                throw AgeError(.invalidKey, "the key holds `\(Character(UnicodeScalar(byte)))`, which Bech32 does not use")
            }
            values.append(UInt8(index))
        }
        guard polymod(expand(hrp) + values) == 1 else {
            throw AgeError(.invalidKey, "the key's checksum is wrong (a typo, or a truncated copy)")
        }
        guard let data = convertBits(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw AgeError(.invalidKey, "the key's data has invalid padding")
        }
        return (String(decoding: hrp, as: UTF8.self), Data(data))
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for (bit, term) in generator.enumerated() where (top >> UInt32(bit)) & 1 == 1 {
                checksum ^= term
            }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func checksum(hrp: [UInt8], values: [UInt8]) -> [UInt8] {
        let mod = polymod(expand(hrp) + values + [0, 0, 0, 0, 0, 0]) ^ 1
        return (0..<6).map { UInt8((mod >> (5 * (5 - UInt32($0)))) & 31) }
    }

    /// Regroups bits; nil when `pad` is false and the leftover bits are not zero padding.
    private static func convertBits(_ input: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0, bits = 0
        var output: [UInt8] = []
        let maxValue = (1 << to) - 1
        for value in input {
            accumulator = (accumulator << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                output.append(UInt8((accumulator >> bits) & maxValue))
            }
        }
        if pad {
            if bits > 0 { output.append(UInt8((accumulator << (to - bits)) & maxValue)) }
        } else if bits >= from || (accumulator << (to - bits)) & maxValue != 0 {
            return nil
        }
        return output
    }
}
