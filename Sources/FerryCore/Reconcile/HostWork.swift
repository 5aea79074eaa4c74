/// What a run still has to do on a host after probing it, which decides whether its
/// connection stays open (see ``Reconciler/observeHosts(_:connector:circuits:manifests:work:)``).
enum HostWork: Sendable, Equatable {
    /// Nothing: every service is in sync or left as is; the connection closes at once.
    case none
    /// Deploys only: the connection may close until they start.
    case deploy
    /// An interrupted deploy or a remote lock to recover before anything else: the connection stays open.
    case recovery
}

/// How many hosts keep their probe's connection open for their deploys.
actor KeptConnections {
    private var left: Int

    /// Room for `limit` connections.
    init(limit: Int) {
        left = limit
    }

    /// Whether one more connection may stay open (and counts it).
    func take() -> Bool {
        guard left > 0 else { return false }
        left -= 1
        return true
    }
}
