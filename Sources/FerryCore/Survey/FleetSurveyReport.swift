import FerryGit

/// What a ``FleetSurvey`` found: the commit Git wants and every (service, host) pair.
public struct FleetSurveyReport: Sendable, Equatable {
    /// The config repository's URL, as configured.
    public var repository: String
    /// The branch surveyed.
    public var branch: String
    /// The commit `origin/<branch>` points at.
    public var revision: CommitID
    /// The commit the last reconcile applied (from the state directory), if any.
    public var lastReconciled: String?
    /// The services whose sources changed between `lastReconciled` and `revision`.
    public var changedServices: [String]
    /// One entry per service and target host the filter kept, sorted by service then host.
    public var pairs: [SurveyedPair]
    /// With `allowed_signers` (and the reconcile's checks): the commits verified and the head's signer.
    public var verifiedCommits: VerifiedCommits?
    /// The order services roll out in (`depends_on`), over every service of the config.
    public var order: ServiceOrder?

    /// A report.
    public init(repository: String, branch: String, revision: CommitID, lastReconciled: String?,
                changedServices: [String], pairs: [SurveyedPair], verifiedCommits: VerifiedCommits? = nil) {
        self.repository = repository
        self.branch = branch
        self.revision = revision
        self.lastReconciled = lastReconciled
        self.changedServices = changedServices
        self.verifiedCommits = verifiedCommits
        self.pairs = pairs.sorted { ($0.service, $0.host) < ($1.service, $1.host) }
    }
}
