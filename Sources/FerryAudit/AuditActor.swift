#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who runs Ferry, as recorded in each audit record's `actor`.
public enum AuditActor {
    /// The name of the effective OS user, or `uid <n>` when it has no passwd entry.
    public static var current: String {
        let uid = geteuid()
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, let found = result, let name = found.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
