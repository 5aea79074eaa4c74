import CSSH2
import Foundation

/// `stat` or `lstat` of a remote path; nil when it does not exist.
final class SFTPStatOperation: SFTPOperation<RemoteFileInfo?>, @unchecked Sendable {
    private let followSymlinks: Bool
    private var attributes = LIBSSH2_SFTP_ATTRIBUTES()

    init(path: String, followSymlinks: Bool, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<RemoteFileInfo?, SSHError>) -> Void) {
        self.followSymlinks = followSymlinks
        super.init(path: path, activity: "reading the status of \(path)", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        let kind = followSymlinks ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT
        let code = libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), kind, &attributes)
        let missing = Self.serverStatus(code, sftp).map { $0 == UInt(LIBSSH2_FX_NO_SUCH_FILE) || $0 == UInt(LIBSSH2_FX_NO_SUCH_PATH) } ?? false
        if missing { return .done(nil) }
        guard try check(code, sftp, loop, "libssh2_sftp_stat_ex", "reading the status of \(path)") else { return .wouldBlock }
        return .done(RemoteFileInfo(attributes))
    }
}

extension RemoteFileInfo {
    /// The information in SFTP attributes (fields the server did not send are zero).
    init(_ attributes: LIBSSH2_SFTP_ATTRIBUTES) {
        let mode = UInt32(truncatingIfNeeded: attributes.permissions)
        let type = mode & UInt32(LIBSSH2_SFTP_S_IFMT)
        self.init(
            size: attributes.filesize,
            permissions: mode & 0o7777,
            modificationDate: Date(timeIntervalSince1970: TimeInterval(attributes.mtime)),
            isDirectory: type == UInt32(LIBSSH2_SFTP_S_IFDIR),
            isSymlink: type == UInt32(LIBSSH2_SFTP_S_IFLNK),
            isRegularFile: type == UInt32(LIBSSH2_SFTP_S_IFREG)
        )
    }
}

/// One `mkdir` (the parent must exist).
final class SFTPMakeDirectoryOperation: SFTPOperation<Void>, @unchecked Sendable {
    private let mode: UInt32

    init(path: String, mode: UInt32, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        self.mode = mode
        super.init(path: path, activity: "creating directory \(path)", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        let code = libssh2_sftp_mkdir_ex(sftp, path, UInt32(path.utf8.count), Int(mode))
        return try check(code, sftp, loop, "libssh2_sftp_mkdir_ex", "creating directory \(path)") ? .done(()) : .wouldBlock
    }
}

/// Sets a path's permission bits exactly (the server's umask does not apply).
final class SFTPSetPermissionsOperation: SFTPOperation<Void>, @unchecked Sendable {
    private var attributes = LIBSSH2_SFTP_ATTRIBUTES()

    init(path: String, mode: UInt32, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        super.init(path: path, activity: "setting the permissions of \(path)", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        let code = libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), LIBSSH2_SFTP_SETSTAT, &attributes)
        return try check(code, sftp, loop, "libssh2_sftp_stat_ex", "setting the permissions of \(path)") ? .done(()) : .wouldBlock
    }
}

/// Removes a file (not a directory).
final class SFTPRemoveOperation: SFTPOperation<Void>, @unchecked Sendable {
    init(path: String, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Void, SSHError>) -> Void) {
        super.init(path: path, activity: "removing \(path)", timeout: timeout, cancellation: cancellation, completion: completion)
    }

    override func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        let code = libssh2_sftp_unlink_ex(sftp, path, UInt32(path.utf8.count))
        return try check(code, sftp, loop, "libssh2_sftp_unlink_ex", "removing \(path)") ? .done(()) : .wouldBlock
    }
}
