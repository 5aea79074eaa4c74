/// Commands run on a host around a deploy, in the release directory.
public struct Hooks: Sendable, Equatable {
    /// Run before the running release is stopped (drain connections, save state).
    public var preShutdown: [Hook]
    /// Run after the new release started and passed its health check (warm caches).
    public var postDeploy: [Hook]

    /// Hooks.
    public init(preShutdown: [Hook], postDeploy: [Hook]) {
        self.preShutdown = preShutdown
        self.postDeploy = postDeploy
    }

    /// No hooks.
    public static let none = Hooks(preShutdown: [], postDeploy: [])
}

/// One hook command.
public struct Hook: Sendable, Equatable {
    /// The command, run by `sh -c`.
    public var command: String
    /// How long it may run before the deploy fails.
    public var timeout: Duration

    /// A hook.
    public init(command: String, timeout: Duration) {
        self.command = command
        self.timeout = timeout
    }
}
