import FerryCore
import Testing

/// `ferry_service_healthy{service,host}`: set by the daemon's health loop, and a series of a
/// pair the loop no longer watches dropped (no stale health of a removed or moved service).
@Suite struct ServiceHealthGaugeTests {
    private func series(_ metrics: FerryMetrics) -> [String] {
        metrics.exposition().split(separator: "\n").filter { $0.hasPrefix("ferry_service_healthy{") }.map(String.init).sorted()
    }

    @Test func pairsNoLongerWatchedLoseTheirSeriesAndTheOthersKeepTheirs() {
        let metrics = FerryMetrics()
        metrics.setServiceHealthy(true, service: "api", host: "h0")
        metrics.setServiceHealthy(false, service: "api", host: "h1")
        metrics.setServiceHealthy(true, service: "web", host: "h0")
        #expect(series(metrics) == [
            #"ferry_service_healthy{host="h0",service="api"} 1.0"#,
            #"ferry_service_healthy{host="h0",service="web"} 1.0"#,
            #"ferry_service_healthy{host="h1",service="api"} 0.0"#,
        ])

        metrics.keepServiceHealth(only: [ServiceHost(service: "api", host: "h0")])
        #expect(series(metrics) == [#"ferry_service_healthy{host="h0",service="api"} 1.0"#])
        #expect(metrics.exposition().contains("# TYPE ferry_service_healthy gauge"), "the family itself stays")

        // A pair watched again (the service moved back) gets its series again.
        metrics.setServiceHealthy(false, service: "api", host: "h1")
        #expect(series(metrics).contains(#"ferry_service_healthy{host="h1",service="api"} 0.0"#))
        metrics.keepServiceHealth(only: [])
        #expect(series(metrics).isEmpty)
    }
}
