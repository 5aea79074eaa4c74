import CSSH2
import Foundation

/// An SFTP request (or a short sequence of them) on the connection's SFTP session.
///
/// libssh2 keeps each request's progress in the SFTP session, so an operation holds
/// the session from its first call to its last; one abandoned halfway (a timeout, a
/// cancellation) leaves it unusable, and the loop starts a fresh one.
class SFTPOperation<Value: Sendable>: ResultOperation<Value>, @unchecked Sendable {
    /// What one step gave.
    enum Step {
        case wouldBlock
        case done(Value)
    }

    /// The remote path, for messages.
    let path: String
    /// True while a libssh2 SFTP call has started and not finished.
    private var callInFlight = false
    /// An open remote file, which a failure must not leave behind.
    var handle: OpaquePointer?

    init(path: String, activity: String, timeout: Duration, cancellation: CancellationFlag?, completion: @escaping @Sendable (Result<Value, SSHError>) -> Void) {
        self.path = path
        super.init(activity: activity, timeout: timeout, cancellation: cancellation, completion: completion)
    }

    final override func advance(_ loop: SessionLoop) throws(SSHError) -> Progress {
        guard loop.acquire(.sftp, for: self), let sftp = try loop.sftp(for: self) else { return .waiting }
        guard case .done(let value) = try step(sftp, loop) else { return .waiting }
        loop.release(.sftp, for: self)
        return succeed(value)
    }

    /// Advances the request; subclasses override.
    func step(_ sftp: OpaquePointer, _ loop: SessionLoop) throws(SSHError) -> Step {
        preconditionFailure("\(type(of: self)) must override step(_:_:)")
    }

    override func releaseResources(_ loop: SessionLoop) {
        if callInFlight || handle != nil { loop.resetSFTP() }
    }

    /// Checks an SFTP call's return code: true when done, false when it would block.
    final func check(_ code: Int32, _ sftp: OpaquePointer, _ loop: SessionLoop, _ function: String, _ action: @autoclosure () -> String) throws(SSHError) -> Bool {
        if code == LIBSSH2_ERROR_EAGAIN {
            callInFlight = true
            return false
        }
        callInFlight = false
        if code >= 0 { return true }
        throw Self.error(code, sftp, loop, function, action())
    }

    /// Checks an SFTP call that returns a handle: the handle, or nil when it would block.
    final func checkHandle(_ opened: OpaquePointer?, _ sftp: OpaquePointer, _ loop: SessionLoop, _ function: String, _ action: @autoclosure () -> String) throws(SSHError) -> OpaquePointer? {
        if let opened {
            callInFlight = false
            return opened
        }
        _ = try check(loop.transport.lastErrorCode, sftp, loop, function, action())
        return nil
    }

    /// Whether the last failed call was answered `status` by the server.
    static func serverStatus(_ code: Int32, _ sftp: OpaquePointer) -> UInt? {
        code == LIBSSH2_ERROR_SFTP_PROTOCOL ? UInt(libssh2_sftp_last_error(sftp)) : nil
    }

    /// The error for a failed SFTP call, naming the server's SFTP status when it sent one.
    static func error(_ code: Int32, _ sftp: OpaquePointer, _ loop: SessionLoop, _ function: String, _ action: String) -> SSHError {
        guard let status = serverStatus(code, sftp) else {
            return loop.transport.error(.sftpFailure, "\(action) failed", function: function, code: code)
        }
        let missing = status == UInt(LIBSSH2_FX_NO_SUCH_FILE) || status == UInt(LIBSSH2_FX_NO_SUCH_PATH)
        return SSHError(
            kind: missing ? .fileNotFound : .sftpFailure,
            message: "\(action) failed: \(SFTPStatus.describe(status))",
            endpoint: loop.endpoint.description, function: function, code: code
        )
    }
}

/// SFTP status codes (draft-ietf-secsh-filexfer) in words.
enum SFTPStatus {
    static func describe(_ status: UInt) -> String {
        let names: [UInt: String] = [
            1: "end of file", 2: "no such file", 3: "permission denied",
            4: "failure (for OpenSSH this includes: it already exists, not empty, not a directory)",
            5: "bad message", 6: "no connection", 7: "connection lost", 8: "operation not supported",
            9: "invalid handle", 10: "no such path", 11: "file already exists", 12: "write protected",
            13: "no media", 14: "no space left on the file system", 15: "quota exceeded",
            16: "unknown principal", 17: "lock conflict", 18: "directory not empty", 19: "not a directory",
            20: "invalid file name", 21: "too many symbolic links",
        ]
        return "\(names[status] ?? "status \(status)") (SSH_FX \(status))"
    }
}
