import FerryAudit
import Foundation

/// A host left alone because its circuit breaker is open: not contacted until `until`.
public struct OpenCircuit: Sendable, Equatable, CustomStringConvertible {
    /// The host.
    public var host: String
    /// When the breaker lets one attempt through again (half-open).
    public var until: Date
    /// The failure that opened it, for a person.
    public var lastError: String?

    /// An open breaker.
    public init(host: String, until: Date, lastError: String?) {
        self.host = host
        self.until = until
        self.lastError = lastError
    }

    /// `circuit open until 2024-05-01T12:00:30Z: not contacted (last error: …)`.
    public var description: String {
        "circuit open until \(RFC3339.secondsString(from: until)): not contacted" + (lastError.map { " (last error: \($0))" } ?? "")
    }
}

/// A failure that opened a host's circuit breaker: no more attempts at the host this run.
struct CircuitOpenedError: Error, CustomStringConvertible {
    /// The breaker, now open.
    var circuit: OpenCircuit
    /// The failure that opened it.
    var cause: String

    var description: String {
        "\(cause); circuit of \(circuit.host) now open until \(RFC3339.secondsString(from: circuit.until)): no more attempts"
    }
}
