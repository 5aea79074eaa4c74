import FerryAudit

extension SecretRedactor {
    /// `error` with its message redacted: Ferry's own errors keep their type (callers switch
    /// on their kind); any other error whose text carries a secret becomes a ``RedactedError``.
    func redact(_ error: any Error) -> any Error {
        guard !isEmpty else { return error }
        switch error {
        case var error as ReconcileError:
            error.message = redact(error.message)
            error.hint = error.hint.map(redact)
            return error
        case var error as HostOperationError:
            error.message = redact(error.message)
            return error
        default:
            let text = String(describing: error)
            let redacted = redact(text)
            return redacted == text ? error : RedactedError(description: redacted)
        }
    }
}

/// An error whose text carried a secret, with the secret replaced by `<redacted>`.
public struct RedactedError: Error, Sendable, CustomStringConvertible {
    /// The error's text, redacted.
    public var description: String
}
