import FerryConfig
import FerrySSH

/// Reading the state of a host's services failed after the connection was made.
struct HostProbeError: Error, CustomStringConvertible, ClassifiedFailure {
    /// The host.
    var host: String
    /// What went wrong: the probe's exit and stderr, or the error.
    var reason: String
    /// The condition `error_policy` knows it as.
    var failureCondition: FailureCondition?

    /// The probe ran and failed: `end` is how it ended, `stderr` what it said. The common
    /// file-system failures are named with host and path.
    init(host: String, end: String, stderr: String) {
        self.host = host
        if let failure = RemoteFailure(output: stderr, host: host) {
            reason = "(\(end)): \(failure)"
            failureCondition = failure.failureCondition
        } else {
            reason = "(\(end)): \(stderr.suffix(300))"
        }
    }

    /// The probe could not run or its output not be read.
    init(host: String, error: any Error) {
        self.host = host
        reason = ": \(error)"
        failureCondition = FailureCondition(classifying: error)
    }

    var description: String { "reading the state of \(host) failed\(reason)" }
}
