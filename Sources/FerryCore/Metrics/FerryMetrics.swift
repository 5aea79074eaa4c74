import Foundation
import Prometheus

/// Ferry's own Prometheus metrics, one registry per process: `/metrics` in daemon mode, the
/// `--metrics-file` after a `--once` run. The names are a contract with the generated alert
/// rules and with dashboards (docs/operations.md lists them); change none without both.
public final class FerryMetrics: Sendable {
    /// The registry every family lives in; `exposition()` prints it.
    public let registry: PrometheusCollectorRegistry

    let runs: Family
    let duration: DurationHistogram
    let lastRun: Gauge
    let deploys: Family
    let rollbacks: Family
    let drifted: LabelledGauges
    let hostsUnreachable: Gauge
    let circuitOpen: LabelledGauges
    let lastAppliedCommit: LabelledGauges
    let auditRecords: Counter
    let lockWaits: Counter
    let serviceHealthy: LabelledGauges

    /// The run outcomes `ferry_reconcile_runs_total` counts, each exported from the start (at 0).
    public static let runOutcomes = RunOutcome.allCases.map(\.rawValue)

    /// The upper bounds of the run-duration histogram's buckets.
    public static let durationBuckets: [Duration] = [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600].map { .seconds($0) }

    /// A registry holding every family of the contract (the labelled ones without series until a run records them).
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        runs = Family(registry, counter: "ferry_reconcile_runs_total",
                      help: "Reconcile runs by outcome: ok, failed (a service failed, rolled back or a host was unreachable), error (the run stopped early), locked (another run held the lock).")
        for outcome in Self.runOutcomes { runs.counter(["outcome": outcome]).increment(by: Int64(0)) }
        duration = registry.makeDurationHistogram(
            name: "ferry_reconcile_duration_seconds", labels: [], buckets: Self.durationBuckets,
            help: "How long reconcile runs took, lock to last audit record.")
        lastRun = registry.makeGauge(name: "ferry_last_run_timestamp_seconds", help: "When the last reconcile run ended (Unix time), whatever its outcome.")
        deploys = Family(registry, counter: "ferry_deploys_total",
                         help: "Releases sent to a host, by service and outcome: succeeded, corrected (drift put right), failed, rolled_back.")
        rollbacks = Family(registry, counter: "ferry_rollbacks_total",
                           help: "Rollbacks after a failed health check, by service and outcome: succeeded (the previous release runs again) or failed.")
        drifted = LabelledGauges(registry, name: "ferry_drifted",
                                 help: "1 when the service on the host differs from Git and was left as is (drift: report), 0 when it matches.")
        hostsUnreachable = registry.makeGauge(name: "ferry_hosts_unreachable", help: "Hosts the last run could not reach, or did not try because their circuit breaker is open.")
        circuitOpen = LabelledGauges(registry, name: "ferry_host_circuit_open", help: "1 while the host's circuit breaker is open (the host is not contacted), else 0.")
        lastAppliedCommit = LabelledGauges(registry, name: "ferry_last_applied_commit_timestamp_seconds",
                                           help: "The commit time (Unix time) of the newest commit a host runs for the service.")
        auditRecords = registry.makeCounter(name: "ferry_audit_records_total", help: "Records appended to the audit log by reconcile runs.")
        lockWaits = registry.makeCounter(name: "ferry_lock_waits_total", help: "Runs that found the reconcile lock held by another run (and waited or gave up).")
        serviceHealthy = LabelledGauges(registry, name: "ferry_service_healthy",
                                        help: "1 while the service's health check passes on the host, 0 while it fails (daemon health loop).")
    }

    /// The registry in Prometheus' text format (version 0.0.4).
    public func exposition() -> String {
        registry.emitToString()
    }

    /// Sets `ferry_service_healthy{service,host}` (the daemon's health loop).
    public func setServiceHealthy(_ healthy: Bool, service: String, host: String) {
        serviceHealthy.set(healthy ? 1 : 0, ["service": service, "host": host])
    }

    /// Drops `ferry_service_healthy` of every pair not in `pairs` (services removed or moved).
    public func keepServiceHealth(only pairs: Set<ServiceHost>) {
        serviceHealthy.keep(only: Set(pairs.map { ["service": $0.service, "host": $0.host] }))
    }
}

/// A service on a host: the labels of the per-pair gauges.
public struct ServiceHost: Hashable, Sendable {
    /// The service.
    public var service: String
    /// The host.
    public var host: String

    /// A pair.
    public init(service: String, host: String) {
        self.service = service
        self.host = host
    }
}

/// How a reconcile run ended, as `ferry_reconcile_runs_total` labels it.
public enum RunOutcome: String, Sendable, CaseIterable {
    /// Every service converged.
    case ok
    /// A service failed, rolled back, or a host was unreachable.
    case failed
    /// The run stopped early (invalid config, repository unreachable, refused commit, state error).
    case error
    /// Another run held the lock.
    case locked
}
