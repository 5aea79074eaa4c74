import CSSH2

/// The linked libssh2, initialised once per process.
public enum SSHLibrary {
    /// libssh2's version as reported by the linked library (not the headers).
    public static var version: String {
        guard let text = libssh2_version(0) else { return "unknown" }
        return String(cString: text)
    }
}
