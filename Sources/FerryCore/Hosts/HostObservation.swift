import FerrySSH

/// What the reconcile learned from one host: the connection it keeps for the host's deploys
/// and the observed state of each service, or why the host could not be reached.
enum HostObservation: Sendable {
    /// Connected; the state of every service the host runs.
    case reached(any HostLink, [String: ObservedService])
    /// Not reachable, or its state could not be read: the message says why.
    case unreachable(String)
    /// Not contacted: its circuit breaker is open.
    case circuitOpen(OpenCircuit)

    /// Why the host's state is not known, nil when it was read.
    var failure: String? {
        switch self {
        case .reached: nil
        case .unreachable(let message): message
        case .circuitOpen(let circuit): circuit.description
        }
    }
}
