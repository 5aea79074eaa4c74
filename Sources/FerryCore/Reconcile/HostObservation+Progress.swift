extension HostObservation {
    /// The progress step that ends the observation of a host: reached, or unreachable with the reason.
    var progressStep: ProgressStep {
        switch self {
        case .reached: .reached
        case .unreachable(let reason): .unreachable(reason: reason)
        case .circuitOpen(let circuit): .unreachable(reason: circuit.description)
        }
    }
}
