import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer of the append-only, hash-chained audit log.
///
/// The file is opened with `O_APPEND` (created 0600); each record is one line
/// of JSON written with a single `write(2)`, carrying in `prev` the sha256 of
/// the line before it. Every append is durable when it returns: the record is
/// `fsync`ed, then the log's head (``AuditHead``: its record count and the hash
/// of its last record) is replaced atomically, so the head is never ahead of
/// the log and ``AuditVerifier`` can tell records removed from the end. A failed
/// append throws an ``AuditError`` naming the file and the OS error; callers
/// that announce a step (`deploy_started` before a switch) do not take it then.
///
/// Appends are serialised on a private queue (the blocking calls never run on
/// Swift's cooperative pool), and under an exclusive `flock` of the file, so a
/// second process appending in between is noticed and the chain continues
/// from its record.
///
/// A torn last line (a write cut short by a crash) is never built upon: the
/// next append first ends it with a newline, then chains to the last complete
/// record; ``AuditVerifier`` reports the torn line. A log that does not reach
/// the record its head names (records removed from the end) is not continued
/// silently: ``open(at:head:runID:actor:secrets:key:clock:)`` first appends an
/// `audit_head_mismatch` record saying what the head said and what the log
/// held, which `ferry audit verify` reports from then on, and then goes on
/// appending (the agent keeps working; the evidence stays in the chain).
///
/// Opened with an ``AuditKey``, the log is keyed: every record also carries a `mac`
/// chained through the records before it, which only a holder of the key can compute.
///
/// ```swift
/// let log = try await AuditLog.open(at: stateDirectory.auditLogURL, secrets: resolvedSecrets)
/// try await log.append(AuditEntry(kind: .deployStarted, service: "web", host: "web-1"))  // on disk now
/// ```
public final class AuditLog: @unchecked Sendable {
    /// The log file.
    public let url: URL
    /// The head file, `<log>.head` unless given.
    public let headURL: URL
    /// The run id stamped on every record this writer appends.
    public let runID: String
    /// Whether the file ended in a torn line when it was opened. Set by `open`.
    public private(set) var foundTornTail = false
    /// Why the log did not reach the record its head names when it was opened
    /// (recorded as `audit_head_mismatch`), or nil. Set by `open`.
    public private(set) var foundHeadMismatch: String?

    private let queue = DispatchQueue(label: "ferry.audit-log")
    // Everything below is touched only on `queue` (or by `open`, before the log is returned).
    private var descriptor: Int32
    private var head = AuditHead.empty
    private var needsNewline = false
    private var expectedSize = 0
    private var sequence = 0
    private var redactor = SecretRedactor()
    private let actor: String?
    private let clock: @Sendable () -> Date
    private let key: AuditKey?
    /// The `mac` of the record the next one chains to (nil: none, or not keyed).
    private var lastMAC: String?

    private static let newline = UInt8(ascii: "\n")

    private init(url: URL, headURL: URL, descriptor: Int32, runID: String, actor: String?,
                 secrets: [String], key: AuditKey?, clock: @escaping @Sendable () -> Date) {
        self.url = url
        self.key = key
        self.headURL = headURL
        self.descriptor = descriptor
        self.runID = runID
        self.actor = actor
        self.clock = clock
        redactor.add(secrets)
    }

    deinit {
        if descriptor >= 0 { closeFile(descriptor) }
    }

    /// Opens (or creates, mode 0600) the log at `url` and finds where its chain ends.
    ///
    /// - Parameters:
    ///   - head: the head file; nil for `<log>.head` beside the log (``AuditHead/url(forLog:)``).
    ///     Pass the same file to ``AuditVerifier/verify(_:head:)``.
    ///   - runID: stamped on every record; see ``makeRunID()``.
    ///   - actor: the OS user recorded in each record.
    ///   - secrets: strings replaced by `<redacted>` in every field before writing.
    ///   - key: the audit key; with one, every record appended carries a `mac`.
    ///   - clock: the time source for records (tests pass a fixed clock).
    /// - Throws: ``AuditError`` when the file cannot be opened or read, or the
    ///   head or an `audit_head_mismatch` record cannot be written.
    public static func open(
        at url: URL,
        head: URL? = nil,
        runID: String = makeRunID(),
        actor: String? = AuditActor.current,
        secrets: [String] = [],
        key: AuditKey? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> AuditLog {
        try await onDedicatedThread {
            let descriptor = try DurableFile.openForAppending(path: url.path)
            let log = AuditLog(url: url, headURL: head ?? AuditHead.url(forLog: url), descriptor: descriptor,
                               runID: runID, actor: actor, secrets: secrets, key: key, clock: clock)
            try withFileLock(descriptor, path: url.path) {
                let (tail, mismatch) = try log.catchUp(descriptor)
                log.foundTornTail = tail.isTorn
                log.foundHeadMismatch = mismatch
            }
            return log
        }
    }

    /// A fresh run id: 16 random lowercase hex digits.
    public static func makeRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.utf8.count) + hex
    }

    /// Adds secrets to redact from every later record (e.g. resolved at deploy time).
    public func addSecrets(_ secrets: [String]) async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.redactor.add(secrets)
                continuation.resume()
            }
        }
    }

    /// The secrets added so far, as the redactor of everything the run prints.
    public func redactor() async -> SecretRedactor {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.redactor) }
        }
    }

    /// Appends one record for `entry`, makes it durable (`fsync`), updates the
    /// head, and returns the record as written.
    /// - Throws: ``AuditError``: `writeFailed` (the record may be missing or torn:
    ///   the step it announces must not be taken), `syncFailed` (it may not be on
    ///   disk), `headWriteFailed` (it is on disk, the head is behind; the next
    ///   append catches up), `encodingFailed`, `closed`.
    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> AuditRecord {
        try await perform {
            let descriptor = try self.openDescriptor()
            return try Self.withFileLock(descriptor, path: self.url.path) {
                if try SystemCall.size(of: descriptor, path: self.url.path) != self.expectedSize {
                    _ = try self.catchUp(descriptor)
                }
                return try self.write(entry, to: descriptor)
            }
        }
    }

    /// Flushes the log to disk (`fsync`). Every append is already durable when
    /// it returns; this only reports a late write-back error.
    /// - Throws: ``AuditError`` (`syncFailed`, `closed`).
    public func sync() async throws {
        try await perform {
            let descriptor = try self.openDescriptor()
            try SystemCall.retrying("fsync", path: self.url.path, kind: .syncFailed) { fsync(descriptor) }
        }
    }

    /// Flushes and closes the file; later appends fail with `closed`. Closing twice is harmless.
    /// - Throws: ``AuditError`` when the final `fsync` fails (the file is closed anyway).
    public func close() async throws {
        try await perform {
            guard self.descriptor >= 0 else { return }
            let descriptor = self.descriptor
            self.descriptor = -1
            defer { closeFile(descriptor) }
            try SystemCall.retrying("fsync", path: self.url.path, kind: .syncFailed) { fsync(descriptor) }
        }
    }

    /// Finds where the chain ends from the file and the head (under the file
    /// lock): when opening, and after another writer appended. A log that does
    /// not reach its head's record gets an `audit_head_mismatch` record; a head
    /// that is behind (or missing) is rewritten. Returns the tail read and the mismatch.
    private func catchUp(_ descriptor: Int32) throws -> (AuditTail, String?) {
        let tail = try AuditTail.read(fd: descriptor, path: url.path)
        let reading = AuditHeadReading.read(at: headURL)
        let end = try AuditChainEnd.find(tail: tail, reading: reading, log: url, headURL: headURL)
        head = end.head
        lastMAC = tail.lastRecordMAC
        needsNewline = tail.isTorn
        expectedSize = tail.size
        if let mismatch = end.mismatch {
            _ = try write(AuditEntry(kind: .auditHeadMismatch, error: mismatch, detail: ["head_file": headURL.path]), to: descriptor)
        } else if reading.head != key.map({ $0.keyed(end.head) }) ?? end.head {
            try writeHead()
        }
        return (tail, end.mismatch)
    }

    /// Writes the record for `entry` as one line (ending a torn last line first),
    /// `fsync`s it, then replaces the head. Called under the file lock.
    private func write(_ entry: AuditEntry, to descriptor: Int32) throws -> AuditRecord {
        let path = url.path
        var record = AuditRecord(
            time: clock(), runID: runID, sequence: sequence + 1,
            actor: actor.map(redactor.redact), prev: head.last, entry: redactor.redact(entry))
        let line: [UInt8]
        do {
            if let key {
                record.mac = key.mac(previous: lastMAC, line: try record.jsonLine())
            }
            line = try record.jsonLine()
        } catch {
            throw AuditError(.encodingFailed, path: path, message: "a \(entry.kind) record: \(error)")
        }
        let bytes = (needsNewline ? [Self.newline] : []) + line + [Self.newline]
        try SystemCall.writeAll(descriptor, bytes, path: path, kind: .writeFailed)
        sequence += 1
        needsNewline = false
        expectedSize += bytes.count
        head = AuditHead(records: head.records + 1, last: AuditHash.of(line))
        lastMAC = record.mac
        try SystemCall.retrying("fsync", path: path, kind: .syncFailed) { fsync(descriptor) }
        try writeHead()
        return record
    }

    /// Replaces the head file with ``head``, with its `mac` in a keyed log.
    private func writeHead() throws {
        try (key.map { $0.keyed(head) } ?? head).write(to: headURL)
    }

    private func openDescriptor() throws -> Int32 {
        guard descriptor >= 0 else { throw AuditError(.closed, path: url.path, message: "") }
        return descriptor
    }

    private func perform<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs blocking file work off the cooperative pool.
    private static func onDedicatedThread<Value: Sendable>(
        _ body: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    private static func withFileLock<Value>(_ descriptor: Int32, path: String, _ body: () throws -> Value) throws -> Value {
        try SystemCall.retrying("flock", path: path, kind: .writeFailed) { flock(descriptor, LOCK_EX) }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
