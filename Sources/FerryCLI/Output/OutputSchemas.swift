/// The JSON Schemas (draft 2020-12) of every `--json` document, by the name
/// `ferry schema --output <name>` takes; each document carries `"schema": "ferry.<name>/v1"`.
/// docs/json-output.md shows an example of each.
enum OutputSchemas {
    /// The names, in the order the docs list them.
    static let names = ["reconcile", "plan", "drift", "status", "releases", "changes", "validate", "audit-verify",
                        "version", "diff", "rollback", "redeploy", "shutdown", "unlock", "suspend", "resume", "approve", "render", "error"]

    /// The schema of the document `name`, nil for an unknown name.
    static func schema(_ name: String) -> String? {
        guard names.contains(name) else { return nil }
        let body: String = switch name {
        case "reconcile": reconcile
        case "plan": plan
        case "drift": drift
        case "status": status
        case "releases": releases
        case "changes": changes
        case "validate": validate
        case "audit-verify": auditVerify
        case "version": version
        case "diff": diff
        case "rollback", "redeploy", "shutdown", "unlock": hostOperation
        case "suspend", "resume", "approve": stateChange
        case "render": render
        default: error
        }
        return """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://ferry.invalid/schemas/ferry.\(name)/v1.json",
              "title": "ferry \(name) --json (ferry.\(name)/v1)",
              "type": "object",
              "required": ["schema"],
              "properties": {"schema": {"const": "ferry.\(name)/v1"}},
              "allOf": [\(body)]
            }

            """
    }

    private static let finding = #"""
        {"type": "object", "required": ["kind", "path", "expected_sha256", "actual_sha256", "expected_release", "actual_release", "message"],
         "properties": {"kind": {"enum": ["modified", "missing", "extra", "not_running", "wrong_release", "manifest_unreadable", "settings_edited"]},
          "path": {"type": ["string", "null"]}, "expected_sha256": {"type": ["string", "null"]}, "actual_sha256": {"type": ["string", "null"]},
          "expected_release": {"type": ["string", "null"]}, "actual_release": {"type": ["string", "null"]}, "message": {"type": ["string", "null"]}}}
        """#

    private static let reconcile = #"""
        {"required": ["run_id", "revision", "converged", "changed_services", "results", "state_rebuilt", "host_events", "host_keys_accepted"],
         "properties": {
          "run_id": {"type": "string"}, "revision": {"type": "string", "pattern": "^[0-9a-f]{40}$"}, "converged": {"type": "boolean"},
          "changed_services": {"type": "array", "items": {"type": "string"}}, "state_rebuilt": {"type": "boolean"},
          "results": {"type": "array", "items": {"type": "object", "required": ["service", "host", "outcome", "detail", "failed"],
            "properties": {"service": {"type": "string"}, "host": {"type": "string"}, "detail": {"type": "string"}, "failed": {"type": "boolean"},
             "outcome": {"enum": ["deployed", "drift_corrected", "drift_reported", "rolled_back", "failed", "unreachable", "not_attempted",
               "circuit_open", "recovered", "recovered_rolled_back", "in_sync", "suspended", "quarantined", "awaiting_approval"]}}}},
          "host_events": {"type": "array", "items": {"type": "object", "required": ["host", "event", "detail"],
            "properties": {"host": {"type": "string"}, "event": {"type": "string"}, "detail": {"type": "string"}}}},
          "host_keys_accepted": {"type": "array", "items": {"type": "object", "required": ["host", "type", "fingerprint", "known_hosts"]}}}}
        """#

    private static var plan: String { #"""
        {"required": ["generated_at", "repository", "branch", "revision", "last_applied", "changed_services", "signatures", "exit_code", "summary", "steps"],
         "properties": {
          "generated_at": {"type": "string"}, "repository": {"type": "string"}, "branch": {"type": "string"}, "revision": {"type": "string"},
          "last_applied": {"type": ["string", "null"]}, "changed_services": {"type": "array", "items": {"type": "string"}},
          "signatures": {"type": ["object", "null"]}, "exit_code": {"type": "integer"},
          "summary": {"type": "object", "required": ["pairs", "deploy", "correct_drift", "report_drift", "skip", "unreachable"]},
          "steps": {"type": "array", "items": {"type": "object",
            "required": ["service", "host", "action", "reason", "from_revision", "to_revision", "uploads", "upload_bytes", "removals", "findings", "settings_changes", "error", "detail"],
            "properties": {"service": {"type": "string"}, "host": {"type": "string"},
             "action": {"enum": ["deploy", "correct_drift", "report_drift", "skip", "unreachable"]}, "reason": {"type": ["string", "null"]},
             "from_revision": {"type": ["string", "null"]}, "to_revision": {"type": ["string", "null"]},
             "uploads": {"type": "array", "items": {"type": "object", "required": ["path", "sha256", "bytes"]}},
             "upload_bytes": {"type": "integer"}, "removals": {"type": "array", "items": {"type": "string"}},
             "findings": {"type": "array", "items": \#(finding)}, "settings_changes": {"type": "array", "items": {"type": "string"}},
             "error": {"type": ["string", "null"]}, "detail": {"type": "string"},
             "manager": {"enum": ["systemd", "process", null]},
             "analysis": {"type": ["object", "null"],
               "required": ["prometheus", "query", "threshold", "healthy_when", "bake_time_seconds", "interval_seconds", "queries"],
               "properties": {"prometheus": {"type": "string"}, "query": {"type": "string"}, "threshold": {"type": "number"},
                "healthy_when": {"enum": ["below", "above"]}, "bake_time_seconds": {"type": "number"},
                "interval_seconds": {"type": "number"}, "queries": {"type": "integer"}}}}}}}}
        """# }

    private static var drift: String { #"""
        {"required": ["generated_at", "repository", "branch", "revision", "exit_code", "summary", "results"],
         "properties": {
          "generated_at": {"type": "string"}, "repository": {"type": "string"}, "branch": {"type": "string"}, "revision": {"type": "string"},
          "exit_code": {"enum": [0, 1, 2, 3]}, "summary": {"type": "object", "required": ["pairs"]},
          "results": {"type": "array", "items": {"type": "object",
            "required": ["service", "host", "status", "from_revision", "to_revision", "findings", "settings_changes", "lock", "error", "detail"],
            "properties": {"service": {"type": "string"}, "host": {"type": "string"},
             "status": {"enum": ["in_sync", "drifted", "interrupted", "pending", "unreachable", "suspended", "quarantined", "awaiting_approval"]},
             "from_revision": {"type": ["string", "null"]}, "to_revision": {"type": ["string", "null"]},
             "findings": {"type": "array", "items": \#(finding)}, "settings_changes": {"type": "array", "items": {"type": "string"}},
             "lock": {"type": ["string", "null"]}, "error": {"type": ["string", "null"]}, "detail": {"type": "string"}}}}}}
        """# }

    private static let status = #"""
        {"required": ["branch", "head", "last_reconciled", "summary", "services", "warnings", "circuits"],
         "properties": {
          "branch": {"type": "string"}, "head": {"type": ["string", "null"]},
          "last_reconciled": {"type": ["object", "null"], "required": ["commit", "at"]},
          "summary": {"type": "object", "required": ["suspended", "quarantined", "failed", "awaiting_approval", "pending", "drifted", "ok"],
            "additionalProperties": {"type": "integer"}},
          "services": {"type": "array", "items": {"type": "object",
            "required": ["name", "in_config", "approval", "suspended", "quarantined", "awaiting_approval", "approved", "hosts"],
            "properties": {"name": {"type": "string"}, "in_config": {"type": ["boolean", "null"]}, "approval": {"enum": ["auto", "manual", null]},
             "suspended": {"type": ["object", "null"]}, "quarantined": {"type": ["object", "null"]},
             "awaiting_approval": {"type": ["string", "null"]}, "approved": {"type": "array", "items": {"type": "string"}},
             "hosts": {"type": "array", "items": {"type": "object", "required": ["host", "state", "applied", "pending", "last_result"],
               "properties": {"host": {"type": "string"},
                "state": {"enum": ["suspended", "quarantined", "failed", "awaiting_approval", "pending", "drifted", "ok"]},
                "applied": {"type": ["object", "null"]}, "pending": {"type": ["string", "null"]}, "last_result": {"type": ["object", "null"]}}}}}}},
          "warnings": {"type": "array", "items": {"type": "string"}},
          "circuits": {"type": "array", "items": {"type": "object", "required": ["host", "state", "open_until", "failures", "successes", "last_error"],
            "properties": {"state": {"enum": ["open", "half_open", "closed"]}}}}}}
        """#

    private static let releases = #"""
        {"required": ["releases"],
         "properties": {"releases": {"type": "array", "items": {"type": "object",
          "required": ["service", "host", "current", "releases", "tainted", "interrupted", "lock", "error"],
          "properties": {"service": {"type": "string"}, "host": {"type": "string"}, "current": {"type": ["string", "null"]},
           "releases": {"type": "array", "items": {"type": "string"}}, "tainted": {"type": "array", "items": {"type": "string"}},
           "interrupted": {"type": ["string", "null"]}, "lock": {"type": ["string", "null"]}, "error": {"type": ["string", "null"]}}}}}}
        """#

    private static let changes = #"""
        {"required": ["service", "revision", "hosts"],
         "properties": {"service": {"type": "string"}, "revision": {"type": "string"},
          "hosts": {"type": "array", "items": {"type": "object", "required": ["host", "files"],
           "properties": {"host": {"type": "string"}, "host_revision": {"type": ["string", "null"]}, "release": {"type": ["string", "null"]},
            "error": {"type": ["string", "null"]}, "settings": {"type": "array", "items": {"type": "string"}},
            "files": {"type": "array", "items": {"type": "object", "required": ["path"],
              "properties": {"path": {"type": "string"}, "old": {"type": ["string", "null"]}, "new": {"type": ["string", "null"]}}}}}}}}}
        """#

    private static let validate = #"""
        {"required": ["repository", "valid", "errors", "warnings", "files", "hosts", "services", "signature", "diagnostics"],
         "properties": {"repository": {"type": "string"}, "valid": {"type": "boolean"}, "errors": {"type": "integer"}, "warnings": {"type": "integer"},
          "files": {"type": "array", "items": {"type": "string"}}, "hosts": {"type": "array", "items": {"type": "string"}},
          "services": {"type": "array", "items": {"type": "string"}}, "signature": {"type": ["object", "null"]},
          "diagnostics": {"type": "array", "items": {"type": "object", "required": ["scope", "severity", "kind", "file", "line", "column", "message", "hint"],
            "properties": {"severity": {"enum": ["error", "warning"]}, "line": {"type": "integer"}, "column": {"type": "integer"},
             "message": {"type": "string"}, "hint": {"type": ["string", "null"]}}}}}}
        """#

    private static let auditVerify = #"""
        {"required": ["intact", "records", "head", "head_file", "problems"],
         "properties": {"intact": {"type": "boolean"}, "records": {"type": "integer"},
          "head": {"enum": ["matches", "missing", "mismatch", "not_checked"]}, "head_file": {"type": "string"},
          "keyed_records": {"type": "integer"}, "unkeyed_records": {"type": "integer"},
          "problems": {"type": "array", "items": {"type": "object", "required": ["line", "kind", "message"]}}}}
        """#

    private static let version = #"""
        {"required": ["ferry", "libgit2", "libssh2"],
         "properties": {"ferry": {"type": "string"}, "libgit2": {"type": "string"}, "libssh2": {"type": "string"}}}
        """#

    private static let diff = #"""
        {"required": ["from", "to", "changes"],
         "properties": {"from": {"type": "string", "pattern": "^[0-9a-f]{40}$"}, "to": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
          "changes": {"type": "array", "items": {"type": "object", "required": ["status", "path", "from_path"],
            "properties": {"status": {"enum": ["added", "modified", "deleted", "renamed"]}, "path": {"type": "string"},
             "from_path": {"type": ["string", "null"]}}}}}}
        """#

    private static let hostOperation = #"""
        {"required": ["operation", "service", "succeeded", "suspended", "results"],
         "properties": {"operation": {"enum": ["rollback", "redeploy", "shutdown", "unlock"]}, "service": {"type": "string"},
          "succeeded": {"type": "boolean"}, "suspended": {"type": "boolean"},
          "results": {"type": "array", "items": {"type": "object", "required": ["host", "succeeded", "message", "release"],
            "properties": {"host": {"type": "string"}, "succeeded": {"type": "boolean"}, "message": {"type": "string"},
             "release": {"type": ["string", "null"]}}}}}}
        """#

    private static let stateChange = #"""
        {"required": ["operation", "service", "revision", "changed", "message"],
         "properties": {"operation": {"enum": ["suspend", "resume", "approve"]}, "service": {"type": "string"},
          "revision": {"type": ["string", "null"], "pattern": "^[0-9a-f]{40}$"}, "changed": {"type": "boolean"},
          "message": {"type": "string"}}}
        """#

    private static let render = #"""
        {"required": ["service", "out", "files"],
         "properties": {"service": {"type": "string"}, "out": {"type": "string"},
          "files": {"type": "array", "items": {"type": "object", "required": ["name", "kind", "path"],
            "properties": {"name": {"type": "string"}, "kind": {"type": "string"}, "path": {"type": "string"}}}}}}
        """#

    private static let error = #"""
        {"required": ["error", "exit_code"], "additionalProperties": false,
         "properties": {"schema": true, "error": {"type": "string"}, "exit_code": {"type": "integer", "minimum": 1}}}
        """#
}
