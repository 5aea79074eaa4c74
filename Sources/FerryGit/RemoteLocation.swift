import Foundation

/// Remote URLs as libgit2 should store them in a clone's configuration.
enum RemoteLocation {
    /// `url` with a relative local path made absolute (against the current directory),
    /// so later fetches do not depend on where the process runs; other URLs unchanged.
    static func normalized(_ url: String) -> String {
        guard !url.contains(":"), !url.hasPrefix("/") else { return url }
        return URL(fileURLWithPath: url).standardizedFileURL.path
    }
}
