import FerryConfig
import FerryCore
import FerryGit

/// The `allowed_signers` verdict `ferry validate --ref` reports for the commit it checked.
struct SignatureCheck {
    /// The commit checked.
    var commit: CommitID
    /// Whether it verifies, and who signed it or why not.
    var verdict: CommitVerdict

    /// Whether a reconcile would refuse the commit.
    var isRefused: Bool {
        if case .refused = verdict { return true }
        return false
    }

    /// `{"commit", "verified", "principal", "signer_key", "reason"}`.
    var json: JSONValue {
        let (principal, key, reason): (String?, String?, String?) = switch verdict {
        case .verified(let signer): (signer.principal, signer.fingerprint, nil)
        case .refused(let refusal): (refusal.principal, refusal.fingerprint, refusal.reason)
        }
        return .object([
            ("commit", .string(commit.hex)),
            ("verified", .bool(!isRefused)),
            ("principal", principal.map(JSONValue.string) ?? .null),
            ("signer_key", key.map(JSONValue.string) ?? .null),
            ("reason", reason.map(JSONValue.string) ?? .null),
        ])
    }
}
