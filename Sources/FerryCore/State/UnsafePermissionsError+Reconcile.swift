import FerryConfig

extension ReconcileError {
    /// The settings error (exit 78) for a private file others can write or own, with its fix.
    init(_ error: UnsafePermissionsError) {
        self.init(.settings, error.problem, hint: "Ferry refuses to trust it; fix: \(error.fix)")
    }
}

extension Reconciler {
    /// Refuses the agent's key files when others can write or own them: the SSH key and the
    /// age identity. Checked with the state directory, before the lock is taken.
    /// - Throws: ``ReconcileError`` (`settings`).
    func refuseUnsafeKeys() throws {
        let keys = [(request.settings.sshKey, "the SSH key"), (request.settings.ageIdentity, "the age identity")]
        for case let (path?, what) in keys {
            do { try PrivatePath.check(path, what: what) } catch { throw ReconcileError(error) }
        }
    }
}
