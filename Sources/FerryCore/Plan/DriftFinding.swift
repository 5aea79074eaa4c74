/// One way a host differs from what Ferry deployed there.
public enum DriftFinding: Sendable, Equatable, CustomStringConvertible {
    /// A deployed file's content changed.
    case modified(path: String, expected: String, actual: String)
    /// A deployed file is gone.
    case missing(path: String, expected: String)
    /// A file Ferry did not deploy appeared in the release.
    case extra(path: String, actual: String)
    /// The service should run and does not.
    case notRunning
    /// `current` points at another release than the manifest names.
    case wrongRelease(expected: String, actual: String?)
    /// The manifest is missing or unreadable while a release is in place.
    case manifestUnreadable(String)
    /// A settings file of the running release was changed on the host: `environment`
    /// (`.ferry/env`) or `unit` (the systemd unit). `path` names the file.
    case settingsEdited(file: String, path: String)

    /// Whether the finding means the release's own files or settings were changed on the
    /// host (a stopped service or a moved `current` leaves the release itself intact).
    public var changesRelease: Bool {
        switch self {
        case .modified, .missing, .extra, .settingsEdited: true
        case .notRunning, .wrongRelease, .manifestUnreadable: false
        }
    }

    /// One line for people: what differs, where, and the hashes.
    public var description: String {
        switch self {
        case .modified(let path, let expected, let actual): "modified \(path) (expected \(expected.prefix(12)), found \(actual.prefix(12)))"
        case .missing(let path, let expected): "missing \(path) (expected \(expected.prefix(12)))"
        case .extra(let path, let actual): "extra \(path) (\(actual.prefix(12)))"
        case .notRunning: "service not running"
        case .wrongRelease(let expected, let actual): "current points at \(actual ?? "nothing"), manifest says \(expected)"
        case .manifestUnreadable(let problem): "manifest unreadable: \(problem)"
        case .settingsEdited(let file, let path): "\(file) file \(path) edited on the host"
        }
    }
}
