import FerryConfig

/// The error policy and circuit breaker a host is reached with.
///
/// Services carry `error_policy` and `circuit_breaker`, but a run makes one connection per
/// host for all its services and keeps one breaker per host: the host follows the settings of
/// the first of its services by name. Give the services of a host the same settings (under
/// `defaults`) to make that choice moot.
struct HostPolicy: Sendable, Equatable {
    /// Retries of connecting and reading the host's state.
    var errorPolicy: ErrorPolicy
    /// The host's circuit breaker.
    var circuitBreaker: CircuitBreakerPolicy

    /// The policy of the first of `services` by name; nil when there is none.
    init?(services: [Service]) {
        guard let first = services.min(by: { $0.name < $1.name }) else { return nil }
        errorPolicy = first.errorPolicy
        circuitBreaker = first.circuitBreaker
    }
}
