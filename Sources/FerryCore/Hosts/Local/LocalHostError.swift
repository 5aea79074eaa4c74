import Foundation
import FerryConfig

/// Why a step on this machine (`transport: local`) could not run.
struct LocalHostError: Error, CustomStringConvertible, ClassifiedFailure {
    /// What went wrong, in `error_policy`'s terms where one fits.
    enum Kind: Sendable, Equatable {
        /// The command or HTTP request took longer than its timeout.
        case timeout
        /// Nothing listens on the port an HTTP health check asked for.
        case connectRefused
        /// The shell could not be started, or a pipe or socket failed.
        case systemCall
        /// An HTTP answer that is not HTTP, or the request could not be written.
        case protocolError
    }

    var kind: Kind
    var message: String

    var description: String { "on this machine (transport: local): \(message)" }

    var failureCondition: FailureCondition? {
        switch kind {
        case .timeout: .timeout
        case .connectRefused: .connectionRefused
        case .systemCall, .protocolError: nil
        }
    }

    /// A failed system call, with `strerror` of `code`.
    static func systemCall(_ call: String, _ code: Int32) -> LocalHostError {
        LocalHostError(kind: .systemCall, message: "\(call) failed: \(String(cString: strerror(code)))")
    }
}
