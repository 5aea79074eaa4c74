import Foundation

/// Makes inputs: mostly a committed seed mutated a few times (bits flipped, bytes inserted,
/// ranges deleted, duplicated or repeated, dictionary tokens spliced in, two seeds crossed),
/// sometimes random bytes or a soup of the format's tokens.
public struct FuzzMutator: Sendable {
    /// The seeds (may be empty: then every input is generated).
    public let seeds: [Data]
    /// The format's tokens.
    public let dictionary: [Data]
    /// The longest input made.
    public let maximumLength: Int

    /// A mutator of `seeds` with the tokens of `dictionary`.
    public init(seeds: [Data], dictionary: [String], maximumLength: Int = 1 << 16) {
        self.seeds = seeds
        self.dictionary = dictionary.map { Data($0.utf8) }
        self.maximumLength = maximumLength
    }

    /// The next input.
    public func input(_ random: inout FuzzRandom) -> Data {
        if seeds.isEmpty || random.oneIn(16) { return randomBytes(&random) }
        if random.oneIn(16) { return tokenSoup(&random) }
        var bytes = [UInt8](seeds[random.below(seeds.count)])
        for _ in 0..<(1 + random.below(8)) { mutate(&bytes, &random) }
        return Data(bytes.prefix(maximumLength))
    }

    private func randomBytes(_ random: inout FuzzRandom) -> Data {
        Data((0..<random.below(512)).map { _ in random.byte() })
    }

    private func tokenSoup(_ random: inout FuzzRandom) -> Data {
        var bytes: [UInt8] = []
        for _ in 0..<random.below(64) {
            if !dictionary.isEmpty, !random.oneIn(4) {
                bytes += dictionary[random.below(dictionary.count)]
            } else {
                bytes.append(random.byte())
            }
        }
        return Data(bytes)
    }

    private func mutate(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let position = random.below(bytes.count + 1)
        switch random.below(10) {
        case 0 where !bytes.isEmpty:
            bytes[min(position, bytes.count - 1)] ^= 1 << UInt8(random.below(8))
        case 1 where !bytes.isEmpty:
            bytes[min(position, bytes.count - 1)] = random.byte()
        case 2:
            bytes.insert(contentsOf: (0..<(1 + random.below(8))).map { _ in random.byte() }, at: position)
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, position + 1 + random.below(32))
            bytes.removeSubrange(min(position, bytes.count - 1)..<end)
        case 4...5 where !dictionary.isEmpty:
            bytes.insert(contentsOf: dictionary[random.below(dictionary.count)], at: position)
        case 6 where !dictionary.isEmpty && position < bytes.count:
            let end = min(bytes.count, position + 1 + random.below(16))
            bytes.replaceSubrange(position..<end, with: dictionary[random.below(dictionary.count)])
        case 7 where position < bytes.count:
            // A range repeated: deep nesting, long lines, many fields, huge output.
            let end = min(bytes.count, position + 1 + random.below(64))
            let range = bytes[position..<end]
            let times = random.oneIn(8) ? 1 + random.below(2_000) : 1 + random.below(8)
            bytes.insert(contentsOf: repeatElement(range, count: times).joined().prefix(maximumLength), at: end)
        case 8:
            let other = seeds[random.below(seeds.count)]
            let cut = random.below(other.count + 1)
            bytes = Array(bytes.prefix(position)) + other.suffix(from: other.startIndex + cut)
        default:
            bytes.removeLast(bytes.count - position)
        }
        if bytes.count > maximumLength { bytes.removeLast(bytes.count - maximumLength) }
    }
}
