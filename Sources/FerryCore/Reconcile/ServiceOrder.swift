import FerryConfig

/// The order services roll out in, from their `depends_on`: services with no ordering between
/// them roll out at the same time; a service starts once the rollouts of the services it
/// depends on are over, and on a host where one of them failed it is not attempted.
public struct ServiceOrder: Sendable, Equatable {
    /// Per service, the services it depends on (only services of the config).
    public let dependencies: [String: [String]]
    /// The services in an order where each comes after everything it depends on (by name
    /// where there is no ordering).
    public let sequence: [String]

    /// The order of `services`. The config refuses unknown names and cycles; an entry that
    /// would still make one is left out here, so that no rollout can wait forever.
    public init(_ services: [Service]) {
        let names = Set(services.map(\.name))
        var dependencies: [String: [String]] = [:]
        for service in services {
            dependencies[service.name] = service.dependsOn.filter { names.contains($0) && $0 != service.name }
        }
        var sequence: [String] = []
        var placed = Set<String>()
        var remaining = services.map(\.name).sorted()
        while !remaining.isEmpty {
            let ready = remaining.filter { name in dependencies[name, default: []].allSatisfy(placed.contains) }
            // A leftover cycle: the first remaining service goes next, its unplaced dependencies dropped.
            let next = ready.isEmpty ? [remaining[0]] : ready
            for name in next {
                dependencies[name] = dependencies[name, default: []].filter(placed.contains)
                sequence.append(name)
            }
            placed.formUnion(next)
            remaining.removeAll(where: placed.contains)
        }
        self.dependencies = dependencies
        self.sequence = sequence
    }

    /// The rollout in stages: the first holds the services that depend on nothing, each later
    /// one the services whose dependencies are all in earlier stages. A service starts as soon
    /// as the services it depends on are done, so stages only show the order.
    public var stages: [[String]] {
        var stage: [String: Int] = [:]
        for name in sequence {
            stage[name] = (dependencies[name, default: []].compactMap { stage[$0] }.max() ?? -1) + 1
        }
        let count = (stage.values.max() ?? -1) + 1
        return (0..<count).map { index in sequence.filter { stage[$0] == index }.sorted() }
    }

    /// Whether any service depends on another.
    public var hasDependencies: Bool { dependencies.values.contains { !$0.isEmpty } }

    /// Runs `body` for every service, each as soon as the services it depends on are done,
    /// independent services at the same time; `body` gets the results of the service's
    /// dependencies, by service. Returns every service's results.
    func run<Result: Sendable>(
        _ body: @escaping @Sendable (_ service: String, _ dependencyResults: [String: Result]) async -> Result
    ) async -> [String: Result] {
        let board = ResultBoard<Result>()
        await withTaskGroup(of: Void.self) { group in
            for name in sequence {
                let needs = dependencies[name, default: []]
                group.addTask {
                    var done: [String: Result] = [:]
                    for dependency in needs { done[dependency] = await board.result(of: dependency) }
                    await board.finish(name, with: await body(name, done))
                }
            }
        }
        return await board.all
    }
}

/// The results of the services that are done, and the rollouts waiting for them.
private actor ResultBoard<Result: Sendable> {
    private var finished: [String: Result] = [:]
    private var waiting: [String: [CheckedContinuation<Result, Never>]] = [:]

    var all: [String: Result] { finished }

    /// The result of `service`, once it is done.
    func result(of service: String) async -> Result {
        if let result = finished[service] { return result }
        return await withCheckedContinuation { waiting[service, default: []].append($0) }
    }

    func finish(_ service: String, with result: Result) {
        finished[service] = result
        for waiter in waiting.removeValue(forKey: service) ?? [] { waiter.resume(returning: result) }
    }
}

extension ServiceOrder {
    /// The hosts where `service` must not be attempted, with the reason, given the results of
    /// the services it depends on: a host where one of them failed (or was not attempted), and,
    /// when such a service does not run on a host, every host once it failed anywhere.
    static func blockedHosts(of service: Service, after dependencyResults: [String: [HostResult]]) -> [String: String] {
        var blocked: [String: String] = [:]
        for dependency in service.dependsOn {
            guard let results = dependencyResults[dependency] else { continue }
            let failedAnywhere = results.first { $0.outcome.isFailure }
            for host in service.hosts where blocked[host] == nil {
                if let here = results.first(where: { $0.host == host }) {
                    if here.outcome.isFailure {
                        blocked[host] = "it depends on \(dependency), which did not succeed on this host (\(here.outcome))"
                    }
                } else if let failed = failedAnywhere {
                    blocked[host] = "it depends on \(dependency), which does not run on this host and did not succeed on \(failed.host) (\(failed.outcome))"
                }
            }
        }
        return blocked
    }
}

extension ServiceOrder {
    /// `db + cache, then api (after db)`: the stages, services of one stage joined by `+`,
    /// each annotated with what it waits for; nil when no service depends on another.
    public var summary: String? {
        guard hasDependencies else { return nil }
        return stages.map { stage in
            stage.map { name in
                let after = dependencies[name, default: []]
                return after.isEmpty ? name : "\(name) (after \(after.joined(separator: ", ")))"
            }.joined(separator: " + ")
        }.joined(separator: ", then ")
    }
}
