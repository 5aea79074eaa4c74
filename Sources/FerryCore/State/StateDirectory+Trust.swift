extension StateDirectory {
    /// For the commands that only read the state directory (`plan`, `drift`, `status`): refuses
    /// it, as ``prepare()`` does, when others can write or own it. A missing directory passes.
    /// - Throws: ``UnsafePermissionsError`` with the `chmod` or `chown` that fixes it.
    public func refuseUnsafePermissions() throws(UnsafePermissionsError) {
        try PrivatePath.check(root.path, what: "the state directory")
    }
}
