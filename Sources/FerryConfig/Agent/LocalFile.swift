import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a file of the agent's machine is there, telling "not there" apart from "the OS
/// will not say" (`FileManager.fileExists` answers false to both).
enum LocalFile {
    /// What `stat(2)` says about a path.
    enum Presence: Equatable {
        /// It does not exist (ENOENT, ENOTDIR).
        case missing
        /// It may exist but cannot be reached: the reason, as the C library words it.
        case inaccessible(String)
        /// It exists.
        case present
    }

    /// What `stat(2)` says about `path`.
    static func presence(_ path: String) -> Presence {
        var status = stat()
        if stat(path, &status) == 0 { return .present }
        let code = errno
        if code == ENOENT || code == ENOTDIR { return .missing }
        return .inaccessible(String(cString: strerror(code)))
    }
}
