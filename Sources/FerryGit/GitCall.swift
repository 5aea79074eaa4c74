import CGit2

/// Runs one libgit2 call and turns a negative result into a ``GitError`` carrying
/// `git_error_last()`'s message and the function's name.
///
/// Every libgit2 call that can fail goes through here, on the thread that made the
/// call (libgit2 keeps the last error per thread).
@discardableResult
func checked(_ function: String, _ call: () -> Int32) throws(GitError) -> Int32 {
    let code = call()
    guard code < 0 else { return code }
    throw GitError.lastError(code: code, function: function)
}

extension GitError {
    /// The error libgit2 recorded on this thread for a call that returned `code`.
    static func lastError(code: Int32, function: String) -> GitError {
        var message = "libgit2 error \(code)"
        var errorClass: Int32 = 0
        if let last = git_error_last() {
            errorClass = last.pointee.klass
            if let text = last.pointee.message {
                message = String(cString: text)
            }
        }
        return GitError(kind: Kind(code: code, errorClass: errorClass), message: message, function: function)
    }
}

extension GitError.Kind {
    /// The kind for a libgit2 return code, refined by the error class for network failures.
    init(code: Int32, errorClass: Int32) {
        switch git_error_code(rawValue: code) {
        case GIT_ENOTFOUND: self = .notFound
        case GIT_EEXISTS: self = .alreadyExists
        case GIT_EAMBIGUOUS, GIT_EINVALIDSPEC: self = .invalidRevision
        case GIT_EAUTH: self = .auth
        case GIT_ECERTIFICATE: self = .hostKey
        case GIT_EUSER: self = .cancelled
        case GIT_ELOCKED: self = .locked
        default:
            switch git_error_t(rawValue: UInt32(bitPattern: errorClass)) {
            case GIT_ERROR_NET, GIT_ERROR_SSH, GIT_ERROR_HTTP, GIT_ERROR_SSL: self = .network
            default: self = .other
            }
        }
    }
}
