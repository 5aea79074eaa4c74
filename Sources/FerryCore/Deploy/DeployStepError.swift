/// A deploy step failed on a host: which step, and what the host said.
struct DeployStepError: Error, CustomStringConvertible {
    /// The step, as named in the audit log (`lock`, `prepare`, `upload`, `start`, …).
    var step: String
    /// What went wrong.
    var message: String

    var description: String { "\(step): \(message)" }
}
