import FerryConfig
import Foundation

extension ReconcileError {
    /// The settings error (exit 78) for a private file others can write or own, with its fix.
    init(_ error: UnsafePermissionsError) {
        self.init(.settings, error.problem, hint: "Ferry refuses to trust it; fix: \(error.fix)")
    }
}

extension Reconciler {
    /// Refuses the agent's key files when others can write or own them: the SSH key, the age
    /// identity and the audit key. Checked with the state directory, before the lock is taken.
    /// - Throws: ``ReconcileError`` (`settings`).
    func refuseUnsafeKeys() throws {
        let auditKey = StateDirectory(root: URL(fileURLWithPath: request.settings.stateDirectory, isDirectory: true)).auditKeyURL.path
        let keys: [(String?, String)] = [(request.settings.sshKey, "the SSH key"), (request.settings.ageIdentity, "the age identity"),
                                         (auditKey, "the audit key")]
        for case let (path?, what) in keys {
            do { try PrivatePath.check(path, what: what) } catch { throw ReconcileError(error) }
        }
    }
}
