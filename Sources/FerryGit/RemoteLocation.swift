import Foundation

/// Remote URLs as libgit2 should store them in a clone's configuration, and as Ferry
/// may show them.
public enum RemoteLocation {
    /// `url` with a relative local path made absolute (against the current directory),
    /// so later fetches do not depend on where the process runs; other URLs unchanged.
    static func normalized(_ url: String) -> String {
        guard !url.contains(":"), !url.hasPrefix("/") else { return url }
        return URL(fileURLWithPath: url).standardizedFileURL.path
    }

    /// `url` safe to print or audit: the user information of a `scheme://user:password@host/…`
    /// URL is replaced by `<redacted>` when it carries a password, and for HTTP(S) URLs
    /// always (a user name there is often a token). An SSH user name alone
    /// (`ssh://git@host/…`, `git@host:repo`) and local paths are kept.
    public static func redactingCredentials(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex(of: "/") ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let userInformation = url[authorityStart..<at]
        guard userInformation.contains(":") || scheme == "http" || scheme == "https" else { return url }
        return String(url[..<authorityStart]) + "<redacted>" + String(url[at...])
    }
}
