import Foundation
import Prometheus

/// A counter family with labels: each label set's counter made on first use.
struct Family: Sendable {
    let registry: PrometheusCollectorRegistry
    let name: String
    let help: String

    init(_ registry: PrometheusCollectorRegistry, counter name: String, help: String) {
        self.registry = registry
        self.name = name
        self.help = help
    }

    /// The counter of `labels` (sorted by label name, so one set is one series).
    func counter(_ labels: [String: String]) -> Counter {
        registry.makeCounter(name: name, labels: labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, help: help)
    }
}

/// A gauge family whose series come and go (drift per service and host, circuits per host):
/// a series not confirmed by the latest run is removed, so a service taken out of the config
/// leaves no stale series behind.
final class LabelledGauges: @unchecked Sendable {
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let lock = NSLock()
    private var gauges: [[String: String]: Gauge] = [:]

    init(_ registry: PrometheusCollectorRegistry, name: String, help: String) {
        self.registry = registry
        self.name = name
        self.help = help
    }

    /// Sets the series of `labels` to `value`, making it on first use.
    func set(_ value: Double, _ labels: [String: String]) {
        lock.withLock {
            let gauge = gauges[labels] ?? registry.makeGauge(
                name: name, labels: labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, help: help)
            gauges[labels] = gauge
            gauge.set(value)
        }
    }

    /// Removes every series whose labels are not in `kept`.
    func keep(only kept: Set<[String: String]>) {
        lock.withLock {
            for (labels, gauge) in gauges where !kept.contains(labels) {
                registry.unregisterGauge(gauge)
                gauges[labels] = nil
            }
        }
    }
}
