import FerryConfig
import FerryGit

/// How the agent reaches its config repository, from its settings: the SSH connector for
/// SSH URLs, and for HTTPS the token (`git_credentials_file`, else `FERRY_GIT_TOKEN`) and the
/// CAs (`git_ca_file`, `git_ca_path`). Every command that fetches the repository uses this.
public enum AgentGitAccess {
    /// The variable holding a token for HTTPS (`TOKEN` or `USER:TOKEN`), used when no
    /// `git_credentials_file` is set.
    public static let tokenVariable = "FERRY_GIT_TOKEN"
    /// The user name sent with a `FERRY_GIT_TOKEN` that names none.
    public static let tokenUser = "git"

    /// The transfer options for fetching `url` with `settings`.
    /// - Throws: ``ReconcileError`` (`settings`) for a credentials file that is not private,
    ///   malformed, or has no line for the repository's host.
    public static func options(
        url: String, settings: AgentSettings, environment: [String: String], sshConnector: (any GitSSHConnector)?
    ) throws -> GitTransferOptions {
        let authorities = settings.gitCAFile == nil && settings.gitCAPath == nil
            ? nil : GitCertificateAuthorities(file: settings.gitCAFile, directory: settings.gitCAPath)
        return GitTransferOptions(
            sshConnector: sshConnector, httpCredentials: try httpCredentials(url: url, settings: settings, environment: environment),
            certificateAuthorities: authorities)
    }

    private static func httpCredentials(url: String, settings: AgentSettings, environment: [String: String]) throws -> GitHTTPCredentials? {
        guard url.lowercased().hasPrefix("https://") || url.lowercased().hasPrefix("http://") else { return nil }
        if let path = settings.gitCredentialsFile {
            return try GitCredentialsFile(path: path).credentials(for: url)
        }
        guard let value = environment[tokenVariable], !value.isEmpty else { return nil }
        guard let colon = value.firstIndex(of: ":") else { return GitHTTPCredentials(username: tokenUser, token: value) }
        return GitHTTPCredentials(username: String(value[..<colon]), token: String(value[value.index(after: colon)...]))
    }
}
