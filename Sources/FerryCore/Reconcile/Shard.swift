import Crypto

/// One agent's share of the fleet (`--shard i/n`): the hosts rendezvous hashing gives to
/// shard `index` of `count`.
///
/// Each host goes to the shard with the highest score, the score of (host, shard) being
/// the first eight bytes of SHA-256 over `host name, NUL, shard number` read as a big-endian
/// integer. The assignment depends on nothing but the names, so `n` agents started with
/// `--shard 1/n` … `--shard n/n` split a fleet with no coordination beyond Git: every host
/// has exactly one owner, and going from `n` to `n + 1` agents moves only the hosts the new
/// shard wins, about `1 / (n + 1)` of them.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// This agent's shard, from 1 to ``count``.
    public let index: Int
    /// How many shards the fleet is split into.
    public let count: Int

    /// The whole fleet: one shard of one.
    public static let whole = Shard(checkedIndex: 1, count: 1)

    /// Shard `index` of `count`.
    /// - Throws: ``ShardError`` when `count` is not positive or `index` is not in `1...count`.
    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, count <= Self.maximumCount else {
            throw ShardError("the number of shards must be between 1 and \(Self.maximumCount), not \(count)")
        }
        guard (1...count).contains(index) else {
            throw ShardError("shard \(index) of \(count) does not exist: shards are numbered 1 to \(count)")
        }
        self.init(checkedIndex: index, count: count)
    }

    /// Parses `i/n` (`2/3`: the second of three shards).
    /// - Throws: ``ShardError`` for anything else.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("--shard takes i/n, such as 1/3 (the first of three shards), not \(text)")
        }
        try self.init(index: index, count: count)
    }

    private init(checkedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The most shards a fleet may be split into.
    public static let maximumCount = 1024

    /// Whether this shard reconciles `host`.
    public func owns(_ host: String) -> Bool {
        count == 1 || Self.owner(of: host, among: count) == index
    }

    /// The shard, from 1 to `count`, that owns `host` when the fleet is split `count` ways.
    public static func owner(of host: String, among count: Int) -> Int {
        var best = 1
        var bestScore: UInt64 = 0
        for shard in 1...max(count, 1) {
            let score = Self.score(host, shard)
            if shard == 1 || score > bestScore {
                best = shard
                bestScore = score
            }
        }
        return best
    }

    /// The rendezvous score of `host` for `shard`.
    static func score(_ host: String, _ shard: Int) -> UInt64 {
        var input = Array(host.utf8)
        input.append(0)
        input.append(contentsOf: String(shard).utf8)
        return SHA256.hash(data: input).withUnsafeBytes { bytes in
            bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    /// `2/3`.
    public var description: String { "\(index)/\(count)" }
}

/// A `--shard` value that names no shard.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a sentence the operator can act on.
    public let message: String

    init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
