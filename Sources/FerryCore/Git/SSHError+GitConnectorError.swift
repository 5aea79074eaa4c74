import FerryGit
import FerrySSH

/// A fetch over Ferry's SSH transport fails with the kind the SSH wrapper found
/// (a changed host key is `.hostKey`, not a generic network error).
extension SSHError: GitConnectorError {
    /// The Git error kind for this SSH failure.
    public var gitErrorKind: GitError.Kind {
        switch kind {
        case .hostKeyUnknown, .hostKeyChanged, .hostKeyRevoked: .hostKey
        case .authFailed, .unsupportedKey: .auth
        case .timeout: .timeout
        case .cancelled: .cancelled
        default: .network
        }
    }
}
