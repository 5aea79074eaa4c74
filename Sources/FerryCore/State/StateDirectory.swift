import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's private state: a directory (mode 0700, default `/var/lib/ferry`) holding
///
/// ```
/// repo/             the agent's clone of the config repository
/// applied.json      the last commit applied per service and host
/// quarantine.json   commits not to retry, per service
/// suspended.json    services not to reconcile
/// approvals.json    commits approved per service
/// circuits.json     hosts whose circuit breaker is open or counting failures
/// blob_digests      SHA-256 and size of every Git blob already read (a cache: safe to delete)
/// audit.jsonl       the audit log
/// lock              the reconcile lock
/// ```
public struct StateDirectory: Sendable {
    /// `/var/lib/ferry`.
    public static let defaultRoot = URL(fileURLWithPath: "/var/lib/ferry", isDirectory: true)

    /// The directory.
    public let root: URL

    /// The state directory at `root`; nothing is created until ``prepare()``.
    public init(root: URL = StateDirectory.defaultRoot) {
        self.root = root
    }

    /// Creates the directory (and missing parents) and makes it private (0700).
    /// - Throws: ``StateError`` (`directoryUnusable`); ``UnsafePermissionsError`` when it is
    ///   group- or world-writable or owned by another user (it is never silently taken over).
    public func prepare() throws {
        let path = root.path
        do {
            try FileManager.default.createDirectory(at: root.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            let denied = (error as? CocoaError)?.code == .fileWriteNoPermission
            throw StateError(.directoryUnusable, path: path, message: "cannot create its parent directory: \(error.localizedDescription)",
                             errorNumber: denied ? EACCES : nil)
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            let code = errno
            throw StateError(.directoryUnusable, path: path, message: "cannot create the state directory: \(StateSystemCall.describe(code))",
                             errorNumber: code)
        }
        var status = stat()
        try StateSystemCall.retrying("stat", path: path, kind: .directoryUnusable) { stat(path, &status) }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw StateError(.directoryUnusable, path: path, message: "exists but is not a directory")
        }
        try PrivatePath.check(path, what: "the state directory")
        if status.st_mode & 0o777 != 0o700 {
            try StateSystemCall.retrying("chmod", path: path, kind: .directoryUnusable) { chmod(path, 0o700) }
        }
    }

    /// `repo/`: the agent's clone of the config repository.
    public var repositoryURL: URL { root.appendingPathComponent("repo", isDirectory: true) }
    /// `audit.jsonl`: the audit log.
    public var auditLogURL: URL { root.appendingPathComponent("audit.jsonl") }
    /// `lock`: the reconcile lock file.
    public var lockURL: URL { root.appendingPathComponent("lock") }
    /// `blob_digests`: the SHA-256 and size of Git blobs already read (``BlobDigestCache``); safe to delete.
    var blobDigestsURL: URL { root.appendingPathComponent(BlobDigestFile.name) }
    /// `manifests`: the manifests last read from or written to the hosts (``ManifestStore``); safe to delete.
    var manifestStoreURL: URL { root.appendingPathComponent(ManifestStoreFile.name) }

    /// `applied.json`: the last commit applied per service and host.
    public var appliedCommits: StateFile<AppliedCommits> { file("applied.json") }
    /// `quarantine.json`: commits not to retry, per service.
    public var quarantinedCommits: StateFile<QuarantinedCommits> { file("quarantine.json") }
    /// `suspended.json`: services not to reconcile.
    public var suspendedServices: StateFile<SuspendedServices> { file("suspended.json") }
    /// `approvals.json`: commits approved per service.
    public var approvals: StateFile<Approvals> { file("approvals.json") }
    /// `circuits.json`: the circuit breaker of every host that failed lately.
    public var circuitBreakers: StateFile<CircuitBreakers> { file("circuits.json") }

    /// Takes the reconcile lock of this state directory; see ``LocalLock/acquire(at:as:waitingUpTo:pollInterval:)``.
    public func acquireLock(as holder: LockHolder, waitingUpTo wait: Duration = .zero) async throws -> LocalLock {
        try await LocalLock.acquire(at: lockURL, as: holder, waitingUpTo: wait)
    }

    private func file<Document>(_ name: String) -> StateFile<Document> {
        StateFile(url: root.appendingPathComponent(name))
    }
}
