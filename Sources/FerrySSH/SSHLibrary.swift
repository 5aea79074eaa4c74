import CSSH2

/// The linked libssh2, initialised once per process.
public enum SSHLibrary {
    /// libssh2's version as reported by the linked library (not the headers).
    public static var version: String {
        guard let text = libssh2_version(0) else { return "unknown" }
        return String(cString: text)
    }

    /// The result of the one `libssh2_init` call of this process.
    ///
    /// `libssh2_init` is not thread-safe; a `static let` is initialised exactly once,
    /// under a lock, by whichever thread reads it first.
    private static let initialisation: Int32 = libssh2_init(0)

    /// Initialises libssh2 if no one has yet; safe to call from any thread.
    static func ensureInitialised() throws(SSHError) {
        guard initialisation == 0 else {
            throw SSHError(kind: .protocolError, message: "libssh2 could not be initialised (libssh2_init returned \(initialisation))")
        }
    }
}
