import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The head of an audit log's chain: how many records it holds and the
/// sha256 of the last one, kept in a small file beside the log.
///
/// A hash chain shows an edited, deleted or reordered record, but not records
/// cut from the end: what is left is still a valid chain. ``AuditLog`` rewrites
/// the head after every append, once the record is on disk, so the head is
/// never ahead of the log; ``AuditVerifier`` reports a log that ends before the
/// record the head names.
///
/// By default the head is `<log>.head` next to the log (``url(forLog:)``), so a
/// log and its head are copied, rotated and backed up together, and
/// `ferry audit verify --file COPY` finds the head of the copy. A caller may
/// keep it elsewhere (e.g. the state directory) by passing its URL to
/// ``AuditLog/open(at:head:runID:actor:secrets:clock:)`` and
/// ``AuditVerifier/verify(_:head:)``.
///
/// The file is one line of JSON: `{"last":"<sha256 of the last record's line>","records":1842}`.
/// A keyed log's head also carries `mac` (``AuditKey``), so that without the key it cannot
/// be rewritten to match a log cut at the end.
public struct AuditHead: Sendable, Equatable, Codable {
    /// How many records the chain holds.
    public var records: Int
    /// The sha256 of the last record's line, or ``AuditRecord/genesis`` when there are none.
    public var last: String
    /// In a keyed log: HMAC-SHA256 over `records` and `last` with the audit key.
    public var mac: String?

    /// The head of a chain of `records` records ending in the line hashed `last`.
    public init(records: Int, last: String) {
        self.records = records
        self.last = last
    }

    /// The head of an empty log.
    public static let empty = AuditHead(records: 0, last: AuditRecord.genesis)

    /// Where the head of the log at `log` is kept by default: `<log>.head`.
    public static func url(forLog log: URL) -> URL {
        log.deletingLastPathComponent().appendingPathComponent(log.lastPathComponent + ".head")
    }

    /// Reads the head file at `url`; nil when there is none.
    /// - Throws: ``AuditError`` (`headUnreadable`) when the file cannot be read or is not a head.
    public static func read(at url: URL) throws -> AuditHead? {
        let path = url.path
        let descriptor = openFile(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw AuditError(.headUnreadable, path: path, message: SystemCall.describe(errno, in: "open"))
        }
        defer { closeFile(descriptor) }
        let size = try SystemCall.size(of: descriptor, path: path, kind: .headUnreadable)
        let bytes = try SystemCall.read(descriptor, count: min(size, maximumSize), at: 0, path: path, kind: .headUnreadable)
        guard size <= maximumSize, let head = try? JSONDecoder().decode(AuditHead.self, from: Data(bytes)), head.isWellFormed else {
            let found = bytes.isEmpty ? "an empty file" : String(decoding: bytes.prefix(120), as: UTF8.self)
            throw AuditError(.headUnreadable, path: path, message: #"not an audit head (expected {"last":"<sha256>","records":N}), found "# + found)
        }
        return head
    }

    /// Replaces the head file at `url` atomically and durably.
    /// - Throws: ``AuditError`` (`headWriteFailed`).
    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let line: [UInt8]
        do {
            line = Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            throw AuditError(.headWriteFailed, path: url.path, message: "cannot encode the head: \(error)")
        }
        try DurableFile.replace(url.path, with: line, reportingAs: .headWriteFailed)
    }

    /// More than any head file holds.
    private static let maximumSize = 4096

    /// A count that is not negative and a hash that is 64 lowercase hex digits.
    private var isWellFormed: Bool {
        records >= 0 && last.utf8.count == 64 && last.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
