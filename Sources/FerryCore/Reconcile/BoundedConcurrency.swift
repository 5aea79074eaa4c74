/// Runs `body` for every element with at most `limit` running at once, and returns the
/// results in the elements' order.
func concurrentMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], limit: Int, _ body: @escaping @Sendable (Element) async -> Result
) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: elements.count)
        var next = 0
        func startNext() {
            guard next < elements.count else { return }
            let index = next
            let element = elements[index]
            group.addTask { (index, await body(element)) }
            next += 1
        }
        for _ in 0..<max(1, limit) { startNext() }
        while let (index, result) = await group.next() {
            results[index] = result
            startNext()
        }
        return results.map { $0! }
    }
}

/// The deploys of one run, bounded across services: at most `hosts` hosts are deployed to at
/// once (the agent's `parallelism`), and at most ``servicesPerHost`` services at once on one
/// host, over its one SSH connection. Waiting deploys start in the order they asked, as slots free up.
/// A deploy holds its host's ``ReconnectingHostLink`` (if in `links`) while it runs, so the
/// connection is open for the deploys in progress and closed when the last one ends.
actor DeploySlots {
    /// How many services deploy at once on one host (each uses a few channels of the host's
    /// connection; OpenSSH allows 10 sessions per connection by default).
    static let servicesPerHost = 4

    private let hostLimit: Int
    private let perHostLimit: Int
    private var active: [String: Int] = [:]
    private var waiting: [(host: String, continuation: CheckedContinuation<Void, Never>)] = []
    private let links: [String: ReconnectingHostLink]

    /// Slots for at most `hosts` hosts and `perHost` services per host at once; a deploy holds
    /// its host's link in `links` while it runs.
    init(hosts: Int, perHost: Int = DeploySlots.servicesPerHost, links: [String: ReconnectingHostLink] = [:]) {
        hostLimit = max(1, hosts)
        perHostLimit = max(1, perHost)
        self.links = links
    }

    /// Runs `body` (one service's deploy on `host`) once a slot is free; a deploy that can start does, even when others wait for a busy host.
    nonisolated func withSlot<Value: Sendable>(on host: String, _ body: () async -> Value) async -> Value {
        await acquire(host)
        let link = links[host]
        await link?.hold()
        let value = await body()
        await link?.release()
        await release(host)
        return value
    }

    private func canStart(_ host: String) -> Bool {
        let running = active[host, default: 0]
        return running < perHostLimit && (running > 0 || active.count < hostLimit)
    }

    private func acquire(_ host: String) async {
        if canStart(host) {
            active[host, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting.append((host, $0)) }
    }

    private func release(_ host: String) {
        active[host, default: 1] -= 1
        if active[host] == 0 { active[host] = nil }
        var index = 0
        while index < waiting.count {
            if canStart(waiting[index].host) {
                let next = waiting.remove(at: index)
                active[next.host, default: 0] += 1
                next.continuation.resume()
            } else {
                index += 1
            }
        }
    }
}
