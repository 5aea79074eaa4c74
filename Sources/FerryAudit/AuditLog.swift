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
/// the line before it. Appends are serialised on a private queue (the blocking
/// calls never run on Swift's cooperative pool), and under an exclusive
/// `flock` of the file, so a second process appending in between is noticed
/// and the chain continues from its record.
///
/// A torn last line (a write cut short by a crash) is never built upon: the
/// next append starts a new line and chains to the last complete record;
/// ``AuditVerifier`` reports the torn line.
///
/// ```swift
/// let log = try await AuditLog.open(at: stateDirectory.auditLogURL, secrets: resolvedSecrets)
/// try await log.append(AuditEntry(kind: .deployStarted, service: "web", host: "web-1"))
/// try await log.sync()
/// ```
public final class AuditLog: @unchecked Sendable {
    /// The log file.
    public let url: URL
    /// The run id stamped on every record this writer appends.
    public let runID: String
    /// Whether the file ended in a torn line when it was opened.
    public let foundTornTail: Bool

    private let queue = DispatchQueue(label: "ferry.audit-log")
    // Everything below is touched only on `queue`.
    private var descriptor: Int32
    private var prev: String
    private var needsNewline: Bool
    private var expectedSize: Int
    private var sequence = 0
    private var redactor = AuditRedactor()
    private let actor: String?
    private let clock: @Sendable () -> Date

    private static let newline = UInt8(ascii: "\n")

    private init(url: URL, descriptor: Int32, tail: AuditTail, runID: String, actor: String?,
                 secrets: [String], clock: @escaping @Sendable () -> Date) {
        self.url = url
        self.descriptor = descriptor
        self.runID = runID
        self.actor = actor
        self.clock = clock
        prev = tail.prev
        needsNewline = tail.isTorn
        foundTornTail = tail.isTorn
        expectedSize = tail.size
        redactor.add(secrets)
    }

    deinit {
        if descriptor >= 0 { closeFile(descriptor) }
    }

    /// Opens (or creates, mode 0600) the log at `url` and reads where its chain ends.
    ///
    /// - Parameters:
    ///   - runID: stamped on every record; see ``makeRunID()``.
    ///   - actor: the OS user recorded in each record.
    ///   - secrets: strings replaced by `<redacted>` in every field before writing.
    ///   - clock: the time source for records (tests pass a fixed clock).
    /// - Throws: ``AuditError`` when the file cannot be opened or read.
    public static func open(
        at url: URL,
        runID: String = makeRunID(),
        actor: String? = AuditActor.current,
        secrets: [String] = [],
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> AuditLog {
        try await onDedicatedThread {
            let path = url.path
            let descriptor = try openCreatingDurably(path: path)
            do {
                let tail = try withFileLock(descriptor, path: path) { try AuditTail.read(fd: descriptor, path: path) }
                return AuditLog(url: url, descriptor: descriptor, tail: tail, runID: runID,
                                actor: actor, secrets: secrets, clock: clock)
            } catch {
                closeFile(descriptor)
                throw error
            }
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

    /// Appends one record for `entry` and returns it as written.
    ///
    /// The record is in the file when this returns, but not necessarily on
    /// disk: call ``sync()`` before reporting success.
    /// - Throws: ``AuditError`` (`writeFailed`, `encodingFailed`, `closed`).
    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> AuditRecord {
        try await perform { try self.appendOnQueue(entry) }
    }

    /// Flushes every appended record to disk (`fsync`).
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

    private func appendOnQueue(_ entry: AuditEntry) throws -> AuditRecord {
        let descriptor = try openDescriptor()
        let path = url.path
        return try Self.withFileLock(descriptor, path: path) {
            let size = try SystemCall.size(of: descriptor, path: path)
            if size != expectedSize {
                let tail = try AuditTail.read(fd: descriptor, path: path)
                prev = tail.prev
                needsNewline = tail.isTorn
            }
            let record = AuditRecord(
                time: clock(), runID: runID, sequence: sequence + 1,
                actor: actor.map(redactor.redact), prev: prev, entry: redactor.redact(entry))
            let line: [UInt8]
            do {
                line = try record.jsonLine()
            } catch {
                throw AuditError(.encodingFailed, path: path, message: "cannot encode a \(entry.kind) record: \(error)")
            }
            let bytes = (needsNewline ? [Self.newline] : []) + line + [Self.newline]
            try SystemCall.writeAll(descriptor, bytes, path: path)
            sequence += 1
            prev = AuditHash.of(line)
            needsNewline = false
            expectedSize = size + bytes.count
            return record
        }
    }

    private func openDescriptor() throws -> Int32 {
        guard descriptor >= 0 else { throw AuditError(.closed, path: url.path, message: "the audit log is closed") }
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

    /// Opens the log for appending; when this creates it, the directory is
    /// synced too, so the new file survives a crash.
    private static func openCreatingDurably(path: String) throws -> Int32 {
        let flags = O_RDWR | O_APPEND | O_CLOEXEC
        while true {
            let created = openFile(path, flags | O_CREAT | O_EXCL, 0o600)
            if created >= 0 {
                try syncDirectory(of: path)
                return created
            }
            guard errno == EEXIST || errno == EINTR else {
                throw AuditError(.openFailed, path: path, message: "cannot create the audit log: \(SystemCall.describe(errno))")
            }
            let existing = openFile(path, flags)
            if existing >= 0 { return existing }
            guard errno == ENOENT || errno == EINTR else {
                throw AuditError(.openFailed, path: path, message: "cannot open the audit log: \(SystemCall.describe(errno))")
            }
        }
    }

    private static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = try SystemCall.retrying("open", path: directory, kind: .openFailed) {
            openFile(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { closeFile(descriptor) }
        try SystemCall.retrying("fsync", path: directory, kind: .syncFailed) { fsync(descriptor) }
    }

    private static func withFileLock<Value>(_ descriptor: Int32, path: String, _ body: () throws -> Value) throws -> Value {
        try SystemCall.retrying("flock", path: path, kind: .writeFailed) { flock(descriptor, LOCK_EX) }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
