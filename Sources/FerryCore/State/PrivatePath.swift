import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The check every private file and directory of the agent passes before Ferry trusts it: the
/// state directory, the audit log and secret files (`from_file`). Another user who can write
/// one of them can forge the audit trail, approvals or quarantines, or swap a secret, so Ferry
/// refuses to run when one is group- or world-writable or owned by another user, and says how
/// to fix it. A path that does not exist yet passes (Ferry creates it private).
public enum PrivatePath {
    /// Throws when `path` is group- or world-writable, or owned by a user other than the
    /// effective one. `what` names it in the message ("the state directory").
    /// - Throws: ``UnsafePermissionsError`` with the `chmod` or `chown` that fixes it.
    public static func check(_ path: String, what: String) throws(UnsafePermissionsError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        let user = geteuid()
        if status.st_uid != user {
            throw UnsafePermissionsError(
                path: path, problem: "\(what) \(path) is owned by \(userName(status.st_uid)), not by the agent's user \(userName(user))",
                fix: "chown \(userName(user)) \(path)")
        }
        let mode = status.st_mode & 0o7777
        if mode & 0o022 != 0 {
            let isDirectory = status.st_mode & S_IFMT == S_IFDIR
            throw UnsafePermissionsError(
                path: path, problem: "\(what) \(path) is writable by \(mode & 0o002 != 0 ? "every user" : "its group") (mode \(String(mode, radix: 8)))",
                fix: "chmod \(isDirectory ? "700" : "600") \(path)")
        }
    }

    /// The user's login name, or its uid when it has none.
    private static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return String(uid) }
        return String(cString: name)
    }
}

/// A private file or directory others can write or own: Ferry does not run until it is fixed.
public struct UnsafePermissionsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file or directory.
    public var path: String
    /// What is wrong with it.
    public var problem: String
    /// The command that fixes it.
    public var fix: String

    /// `problem; fix with: fix`.
    public var description: String { "\(problem); Ferry refuses to trust it (fix: \(fix))" }
}
