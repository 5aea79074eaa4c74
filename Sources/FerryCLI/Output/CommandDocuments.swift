import FerryConfig
import FerryCore
import FerryGit

/// The `--json` documents of the commands whose reports are built here: `version`, `diff`,
/// the host operations `rollback`, `redeploy`, `shutdown`, `unlock`, and the state changes
/// `suspend`, `resume`, `approve`. Each carries
/// `"schema": "ferry.<command>/v1"`, published by `ferry schema --output <command>`.
enum CommandDocuments {
    /// `ferry version --json`.
    static func version(_ report: VersionReport) -> JSONValue {
        .object([("schema", .string("ferry.version/v1")), ("ferry", .string(report.ferry)),
                 ("libgit2", .string(report.libgit2)), ("libssh2", .string(report.libssh2))])
    }

    /// `ferry diff --json`: every changed path between two commits.
    static func diff(from: CommitID, to: CommitID, changes: [ChangedPath]) -> JSONValue {
        .object([
            ("schema", .string("ferry.diff/v1")), ("from", .string(from.hex)), ("to", .string(to.hex)),
            ("changes", .array(changes.map { change in
                switch change {
                case .added(let path): .object([("status", .string("added")), ("path", .string(path)), ("from_path", .null)])
                case .modified(let path): .object([("status", .string("modified")), ("path", .string(path)), ("from_path", .null)])
                case .deleted(let path): .object([("status", .string("deleted")), ("path", .string(path)), ("from_path", .null)])
                case .renamed(let old, let new): .object([("status", .string("renamed")), ("path", .string(new)), ("from_path", .string(old))])
                }
            })),
        ])
    }

    /// `ferry rollback|redeploy|shutdown|unlock --json`: `ferry.<operation>/v1`.
    static func hostOperation(_ report: HostOperationReport) -> JSONValue {
        .object([
            ("schema", .string("ferry.\(report.operation)/v1")), ("operation", .string(report.operation)),
            ("service", .string(report.service)), ("succeeded", .bool(report.succeeded)), ("suspended", .bool(report.suspended)),
            ("results", .array(report.results.map { result in
                .object([("host", .string(result.host)), ("succeeded", .bool(result.succeeded)), ("message", .string(result.message)),
                         ("release", result.release.map(JSONValue.string) ?? .null)])
            })),
        ])
    }

    /// `ferry suspend|resume|approve --json`: `ferry.<operation>/v1`. `changed` is false when the
    /// state already said so (already suspended, already approved); `revision` is the approved
    /// commit for `approve`, null otherwise; `message` is the line the text report prints.
    static func stateChange(operation: String, service: String, revision: String?, changed: Bool, message: String) -> JSONValue {
        .object([
            ("schema", .string("ferry.\(operation)/v1")), ("operation", .string(operation)), ("service", .string(service)),
            ("revision", revision.map(JSONValue.string) ?? .null), ("changed", .bool(changed)), ("message", .string(message)),
        ])
    }
}
