import CGit2
import Foundation

/// Which certificate authorities libgit2 checks HTTPS servers against.
///
/// libgit2 keeps one set for the whole process (its TLS library, mbedTLS here, reads no
/// `SSL_CERT_FILE` or `GIT_SSL_CAINFO`), so every transfer sets the set it needs first:
/// the authorities its options name, else the system bundle libgit2 loads at start.
/// Transfers with different authorities in one process take turns through this lock.
enum TLSTrust {
    /// The bundle Debian's libgit2 trusts by default.
    static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: GitCertificateAuthorities?

    /// Runs the transfer from `url` with `authorities` trusted (nil: the system's); for an
    /// HTTPS URL it holds the lock, so no other transfer changes them meanwhile.
    static func with<T>(
        _ authorities: GitCertificateAuthorities?, url: String, _ transfer: () throws(GitError) -> T
    ) throws(GitError) -> T {
        guard url.lowercased().hasPrefix("https://") else { return try transfer() }
        lock.lock()
        defer { lock.unlock() }
        try apply(authorities)
        return try transfer()
    }

    private static func apply(_ authorities: GitCertificateAuthorities?) throws(GitError) {
        guard authorities != current else { return }
        let wanted = authorities ?? GitCertificateAuthorities(file: systemBundle, directory: nil)
        for path in [wanted.file, wanted.directory].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw GitError(kind: .invalidArgument, message: "cannot read the CA certificates at \(path)", function: "git_ca_file")
        }
        try checked("git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS)") {
            ferry_git_set_ssl_cert_locations(wanted.file, wanted.directory)
        }
        current = authorities
    }
}
