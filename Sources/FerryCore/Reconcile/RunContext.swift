import FerryConfig
import FerryGit

/// What a run knows once the config repository is fetched and loaded.
struct RunContext: Sendable {
    /// The config at the new commit.
    var configuration: FerryConfiguration
    /// The agent's clone.
    var repository: GitRepository
    /// The commit reconciled.
    var head: CommitID
    /// The commit the previous run reconciled, if any.
    var lastHead: String?
    /// The services whose sources changed since `lastHead`.
    var changedServices: [String]
    /// Every service's desired release at `head`.
    var desired: [String: DesiredRelease]
    /// Every service's environment, secrets resolved.
    var environments: ServiceEnvironments
    /// How hosts are reached.
    var connector: HostConnector
    /// The agent's age identity file, for secrets encrypted in the repository.
    var ageIdentity: String?
    /// With `allowed_signers`: the commits verified since `lastHead` and the head's signer.
    var verifiedCommits: VerifiedCommits? = nil
    /// The Git server's key, when fetching recorded it on first use (`--accept-new`).
    var acceptedHostKeys: [HostKeyAcceptance] = []
    /// The manifests the hosts had when last read or written (the state directory's `manifests`).
    var manifests: ManifestStore? = nil
}
