import FerryAudit
import FerryConfig
import Foundation

extension StatusReport {
    /// The schema name of the `--json` document; its version is raised when a field changes meaning or goes away.
    public static let schema = "ferry.status/v1"

    /// The `ferry status --json` document (documented in `ferry status --help`). Every key is
    /// always present; what is not known or does not apply is `null`. Times are RFC 3339 UTC.
    public var json: JSONValue {
        .object([
            ("schema", .string(Self.schema)),
            ("branch", .string(branch)),
            ("head", head.map { .string($0.hex) } ?? .null),
            ("last_reconciled", lastReconciled.map { .object([("commit", .string($0.commit)), ("at", Self.time($0.appliedAt))]) } ?? .null),
            ("summary", .object(HostState.allCases.map { ($0.rawValue, .int(counts[$0] ?? 0)) })),
            ("services", .array(services.map(Self.json))),
            ("warnings", .array(warnings.map(JSONValue.string))),
            ("circuits", .array(circuits.sorted { $0.key < $1.key }.map(Self.json))),
        ])
    }

    private static func json(_ host: String, _ circuit: Circuit) -> JSONValue {
        .object([
            ("host", .string(host)),
            ("state", .string(circuit.state.rawValue)),
            ("open_until", circuit.openUntil.map(time) ?? .null),
            ("failures", .int(circuit.failures.count)),
            ("successes", .int(circuit.successes)),
            ("last_error", circuit.lastError.map(JSONValue.string) ?? .null),
        ])
    }

    private static func json(_ service: ServiceEntry) -> JSONValue {
        .object([
            ("name", .string(service.name)),
            ("in_config", service.inConfig.map(JSONValue.bool) ?? .null),
            ("approval", service.approval.map { .string($0.rawValue) } ?? .null),
            ("suspended", service.suspension.map { suspension in
                .object([
                    ("since", time(suspension.suspendedAt)),
                    ("by", .string(suspension.suspendedBy)),
                    ("reason", suspension.reason.map(JSONValue.string) ?? .null),
                    ("pinned_release", suspension.pinnedRelease.map(JSONValue.string) ?? .null),
                ])
            } ?? .null),
            ("quarantined", service.quarantine.map { quarantine in
                .object([
                    ("commit", .string(quarantine.commit)),
                    ("since", time(quarantine.quarantinedAt)),
                    ("reason", .string(quarantine.reason)),
                ])
            } ?? .null),
            ("awaiting_approval", service.awaitingApproval.map { .string($0.hex) } ?? .null),
            ("approved", .array(service.approved.map(JSONValue.string))),
            ("hosts", .array(service.hosts.map(json))),
        ])
    }

    private static func json(_ host: HostEntry) -> JSONValue {
        .object([
            ("host", .string(host.host)),
            ("state", .string(host.state.rawValue)),
            ("applied", host.applied.map { .object([("commit", .string($0.commit)), ("at", time($0.appliedAt))]) } ?? .null),
            ("pending", host.pending.map { .string($0.hex) } ?? .null),
            ("last_result", host.lastResult.map { result in
                .object([
                    ("kind", .string(result.kind.rawValue)),
                    ("time", time(result.time)),
                    ("revision", result.revision.map(JSONValue.string) ?? .null),
                    ("outcome", result.outcome.map { .string($0.rawValue) } ?? .null),
                    ("error", result.error.map(JSONValue.string) ?? .null),
                    ("run_id", .string(result.runID)),
                ])
            } ?? .null),
        ])
    }

    private static func time(_ date: Date) -> JSONValue { .string(RFC3339.string(from: date)) }
}
