import FerryConfig

extension DriftFinding {
    /// The kind, as the JSON documents name it.
    public var kind: String {
        switch self {
        case .modified: "modified"
        case .missing: "missing"
        case .extra: "extra"
        case .notRunning: "not_running"
        case .wrongRelease: "wrong_release"
        case .manifestUnreadable: "manifest_unreadable"
        case .settingsEdited: "settings_edited"
        }
    }

    /// The finding in the JSON documents: every key always present, null where it does not apply.
    var json: JSONValue {
        var path: String?, expected: String?, actual: String?, expectedRelease: String?, actualRelease: String?, message: String?
        switch self {
        case .modified(let file, let wanted, let found): (path, expected, actual) = (file, wanted, found)
        case .missing(let file, let wanted): (path, expected) = (file, wanted)
        case .extra(let file, let found): (path, actual) = (file, found)
        case .notRunning: message = "the service is not running"
        case .wrongRelease(let wanted, let found): (expectedRelease, actualRelease) = (wanted, found)
        case .manifestUnreadable(let problem): message = problem
        case .settingsEdited(let file, let edited): (path, message) = (edited, "the \(file) file was edited on the host")
        }
        func value(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return .object([
            ("kind", .string(kind)),
            ("path", value(path)),
            ("expected_sha256", value(expected)),
            ("actual_sha256", value(actual)),
            ("expected_release", value(expectedRelease)),
            ("actual_release", value(actualRelease)),
            ("message", value(message)),
        ])
    }
}
