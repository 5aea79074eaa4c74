import FerryAudit
import FerryConfig

/// One service's deploys across its hosts: canary hosts first, then batches, stopping when
/// more hosts failed than `max_failures` allows; with `on_host_failure: rollback_all`, the
/// hosts this run already switched go back too.
struct Rollout: Sendable {
    let service: Service
    let plans: [HostPlan]
    let run: RunContext
    let observations: [String: HostObservation]
    let audit: AuditLog
    /// The run's deploy slots, shared with the services rolling out at the same time.
    var slots = DeploySlots(hosts: .max)
    /// Why the service must not be attempted on a host, by host: a service it depends on failed there.
    var blocked: [String: String] = [:]

    func run() async -> [HostResult] {
        var results: [HostResult] = []
        var deploys: [HostPlan] = []
        for plan in plans {
            switch plan.action {
            case .deploy:
                if let reason = blocked[plan.host] {
                    results.append(HostResult(service: service.name, host: plan.host, outcome: .notAttempted(reason: reason)))
                } else {
                    deploys.append(plan)
                }
            case .reportDrift:
                results.append(HostResult(service: service.name, host: plan.host, outcome: .driftReported(plan.comparison.drift),
                                          driftHeldByQuarantine: plan.isDriftHeldByQuarantine))
            case .skip(let reason): results.append(HostResult(service: service.name, host: plan.host, outcome: .skipped(reason)))
            }
        }
        var switched: [ServiceDeployer] = []
        var failures = 0
        var remaining = deploys.sorted { $0.host < $1.host }
        for batchSize in batchSizes(total: remaining.count) {
            let batch = Array(remaining.prefix(batchSize))
            remaining.removeFirst(batch.count)
            let attempts = await concurrentMap(batch.compactMap(deployer(for:)), limit: batch.count) { deployer in
                let outcome = await slots.withSlot(on: deployer.host) { await deployer.deploy() }
                ProgressEvents.emit(.finished(HostResult(service: deployer.service.name, host: deployer.host, outcome: outcome)))
                return (deployer, outcome)
            }
            for (deployer, outcome) in attempts {
                results.append(HostResult(service: service.name, host: deployer.host, outcome: outcome))
                if outcome.isFailure { failures += 1 } else { switched.append(deployer) }
            }
            if failures > service.rollout.maxFailures {
                results += remaining.map {
                    HostResult(service: service.name, host: $0.host, outcome: .notAttempted(
                        reason: "the rollout stopped: \(failures) host(s) failed, max_failures is \(service.rollout.maxFailures)"))
                }
                if service.rollout.onHostFailure == .rollbackAll {
                    results = await revert(switched, in: results)
                }
                break
            }
        }
        return results
    }

    /// Canary hosts first (if any), then batches of `rollout.batch`.
    func batchSizes(total: Int) -> [Int] {
        guard total > 0 else { return [] }
        var sizes: [Int] = []
        var left = total
        if service.rollout.canary > 0 {
            sizes.append(min(service.rollout.canary, left))
            left -= sizes[0]
        }
        let batch = service.rollout.batch.hostsPerBatch(of: service.hosts.count)
        while left > 0 {
            sizes.append(min(batch, left))
            left -= sizes.last!
        }
        return sizes
    }

    private func deployer(for plan: HostPlan) -> ServiceDeployer? {
        guard case .reached(let connection, let services)? = observations[plan.host], let desired = run.desired[service.name] else { return nil }
        let observed = services[service.name] ?? .absent
        let resolved = ServiceOnHost(service, desired: desired, observed: observed)
        var deployer = ServiceDeployer(
            connection: connection, service: resolved.service, host: plan.host, plan: plan, desired: resolved.desired,
            observed: observed, repository: run.repository,
            environment: run.environments.variables[service.name] ?? [:], audit: audit)
        deployer.manifests = run.manifests
        return deployer
    }

    private func revert(_ deployers: [ServiceDeployer], in results: [HostResult]) async -> [HostResult] {
        let reverted = await concurrentMap(deployers, limit: max(deployers.count, 1)) { deployer in
            let deployed: ReleaseName? = switch results.first(where: { $0.host == deployer.host })?.outcome {
            case .deployed(let release, _, _)?, .corrected(let release, _, _)?: ReleaseName(rawValue: release)
            default: nil
            }
            return (deployer.host, await deployer.revertAfterFleetFailure(failed: deployed))
        }
        var updated = results
        for (host, outcome) in reverted {
            if let index = updated.firstIndex(where: { $0.host == host }) { updated[index].outcome = outcome }
        }
        return updated
    }
}
