import FerrySSH

/// Closes each host's connection as soon as the run has nothing left to do there, so that a
/// run holds connections only for the hosts it is working on: a host with nothing to deploy
/// right after planning, any other once the rollouts of all its services are over.
actor HostConnectionRelease {
    private var servicesLeft: [String: Set<String>] = [:]
    private let connections: [String: any HostLink]

    /// The hosts reached in `observations`, and which services `plans` deploy on each.
    init(plans: [HostPlan], observations: [String: HostObservation]) {
        var connections: [String: any HostLink] = [:]
        for case (let host, .reached(let connection, _)) in observations { connections[host] = connection }
        self.connections = connections
        for plan in plans {
            if case .deploy = plan.action { servicesLeft[plan.host, default: []].insert(plan.service) }
        }
    }

    /// Closes the connection of every host with nothing to deploy.
    func closeIdle() async {
        for (host, connection) in connections where servicesLeft[host] == nil {
            await connection.closeAndWait()
        }
    }

    /// Notes that `service`'s rollout is over, closing the hosts it was the last work of.
    func finished(_ service: String) async {
        for (host, left) in servicesLeft where left.contains(service) {
            servicesLeft[host]?.remove(service)
            if servicesLeft[host]?.isEmpty == true {
                servicesLeft[host] = nil
                await connections[host]?.closeAndWait()
            }
        }
    }
}
