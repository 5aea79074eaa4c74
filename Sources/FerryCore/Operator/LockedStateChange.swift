import FerryAudit
import Foundation

/// How an operator command changes the state directory: under the reconcile's lock,
/// taken briefly, so a running reconcile and the change never interleave; with the
/// audit log opened before anything changes, and flushed before the command reports success.
struct LockedStateChange: Sendable {
    let context: OperatorContext

    /// Prepares the state directory, takes its lock, opens the audit log, runs `body`,
    /// syncs the log and releases the lock.
    /// - Throws: ``OperatorError`` (`locked`, `permissionDenied`, `state`), or whatever `body` throws.
    func perform<Value: Sendable>(_ body: @Sendable (StateDirectory, AuditLog) async throws -> Value) async throws -> Value {
        let state = context.stateDirectory
        do {
            try await BlockingWork.run { try state.prepare() }
        } catch {
            let denied = (error as? StateError)?.isPermissionDenied ?? false
            throw OperatorError(denied ? .permissionDenied : .state, "cannot prepare the state directory \(state.root.path): \(error)",
                                hint: "run as the user the agent runs as, or set --state-dir")
        }
        let lock: LocalLock
        do {
            lock = try await state.acquireLock(as: LockHolder.current(command: context.command), waitingUpTo: context.lockWait)
        } catch let error as LocalLockError {
            switch error.kind {
            case .busy, .timedOut: throw OperatorError(.locked, error.message)
            case .failed:
                throw OperatorError(error.isPermissionDenied ? .permissionDenied : .state, error.message,
                                    hint: "run as the user the agent runs as, or set --state-dir")
            }
        }
        defer { lock.release() }
        let audit: AuditLog
        do {
            try PrivatePath.check(context.auditLogURL.path, what: "the audit log")
            audit = try await AuditLog.open(at: context.auditLogURL, actor: context.actor, key: try state.auditKey(creating: true))
            if let previous = lock.previousHolder {
                try await audit.append(AuditEntry(kind: .lockTakenOver, detail: ["previous_holder": previous.description]))
            }
        } catch {
            throw OperatorError(.state, "cannot open the audit log \(context.auditLogURL.path): \(error)",
                                hint: "nothing was changed; set --audit-log or fix the file's permissions")
        }
        let value = try await body(state, audit)
        do {
            try await audit.close()
        } catch {
            throw OperatorError(.state, "the change is recorded but the audit log could not be flushed: \(error)")
        }
        return value
    }

    /// Loads one state file off the cooperative pool.
    /// - Throws: ``OperatorError`` (`state`) when it cannot be read or is corrupt.
    static func load<Document: StateDocument>(_ file: StateFile<Document>) async throws -> Document {
        do {
            return try await BlockingWork.run { try file.load() }
        } catch {
            throw OperatorError(.state, "\(error)", hint: "nothing was changed")
        }
    }

    /// Saves one state file (atomically) off the cooperative pool.
    /// - Throws: ``OperatorError`` (`state`); the previous file is then intact.
    static func save<Document: StateDocument>(_ document: Document, to file: StateFile<Document>) async throws {
        do {
            try await BlockingWork.run { try file.save(document) }
        } catch {
            throw OperatorError(.state, "\(error)", hint: "nothing was changed")
        }
    }

    /// Appends `entry` to `audit`.
    /// - Throws: ``OperatorError`` (`state`): the state file changed, the record is missing.
    static func record(_ entry: AuditEntry, in audit: AuditLog) async throws {
        do {
            try await audit.append(entry)
        } catch {
            throw OperatorError(.state, "the change is saved but its audit record could not be written: \(error)",
                                hint: "check \(audit.url.path) with `ferry audit verify`")
        }
    }
}
