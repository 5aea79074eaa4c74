import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer of the append-only, hash-chained audit log.
///
/// The file is opened with `O_APPEND` (created 0600); each record is one line
/// of JSON written with a single `write(2)` (appends waiting together share one),
/// carrying in `prev` the sha256 of the line before it. Every append is durable
/// when it returns: the record is `fsync`ed, then the log's head (``AuditHead``: its record count and the hash
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
    /// Appends waiting for the next group write; touched under its own lock, from any thread.
    private let waiting = Mutex(WaitingAppends())
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
    ///
    /// Appends that wait while another is being written are written together: one `write(2)`
    /// of their lines, one `fsync`, one head (group commit), each still durable when it returns.
    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> AuditRecord {
        try await withCheckedThrowingContinuation { continuation in
            let schedule = waiting.withLock { waiting -> Bool in
                waiting.appends.append((entry, continuation))
                guard !waiting.drainScheduled else { return false }
                waiting.drainScheduled = true
                return true
            }
            if schedule { queue.async { self.writeWaitingAppends() } }
        }
    }

    /// Appends not written yet, and whether a write of them is queued.
    private struct WaitingAppends {
        var appends: [(entry: AuditEntry, continuation: CheckedContinuation<AuditRecord, any Error>)] = []
        var drainScheduled = false
    }

    /// Writes every append waiting now, as one group, and resumes each with its outcome. On `queue`.
    private func writeWaitingAppends() {
        let group = waiting.withLock { waiting in
            defer { waiting = WaitingAppends() }
            return waiting.appends
        }
        guard !group.isEmpty else { return }
        let outcomes: [Result<AuditRecord, any Error>]
        do {
            let descriptor = try openDescriptor()
            outcomes = try Self.withFileLock(descriptor, path: url.path) {
                if try SystemCall.size(of: descriptor, path: self.url.path) != self.expectedSize {
                    _ = try self.catchUp(descriptor)
                }
                return try self.write(group.map(\.entry), to: descriptor)
            }
        } catch {
            outcomes = group.map { _ in .failure(error) }
        }
        for (append, outcome) in zip(group, outcomes) { append.continuation.resume(with: outcome) }
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
            if case .failure(let error)? = try write([AuditEntry(kind: .auditHeadMismatch, error: mismatch, detail: ["head_file": headURL.path])],
                                                    to: descriptor).first {
                throw error
            }
        } else if reading.head != key.map({ $0.keyed(end.head) }) ?? end.head {
            try writeHead()
        }
        return (tail, end.mismatch)
    }

    /// Writes the records for `entries` as lines (ending a torn last line first) with one
    /// `write(2)`, `fsync`s them, then replaces the head. An entry that cannot be encoded fails
    /// alone; the others are written. Called under the file lock.
    private func write(_ entries: [AuditEntry], to descriptor: Int32) throws -> [Result<AuditRecord, any Error>] {
        let path = url.path
        var bytes: [UInt8] = needsNewline ? [Self.newline] : []
        var (sequence, head, lastMAC) = (self.sequence, self.head, self.lastMAC)
        var outcomes: [Result<AuditRecord, any Error>] = []
        for entry in entries {
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
                outcomes.append(.failure(AuditError(.encodingFailed, path: path, message: "a \(entry.kind) record: \(error)")))
                continue
            }
            bytes += line
            bytes.append(Self.newline)
            sequence += 1
            head = AuditHead(records: head.records + 1, last: AuditHash.of(line))
            lastMAC = record.mac
            outcomes.append(.success(record))
        }
        guard sequence != self.sequence else { return outcomes }
        try SystemCall.writeAll(descriptor, bytes, path: path, kind: .writeFailed)
        (self.sequence, self.head, self.lastMAC) = (sequence, head, lastMAC)
        needsNewline = false
        expectedSize += bytes.count
        try SystemCall.retrying("fsync", path: path, kind: .syncFailed) { fsync(descriptor) }
        try writeHead()
        return outcomes
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
