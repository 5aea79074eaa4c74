import FerryConfig
@testable import FerryCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import _FerryTestHosts

/// Two real HTTP servers on loopback (python3's http.server, one process started and killed by
/// pid): `redirecting` answers every GET with a 302 to the same path on `target`, under another
/// host name (`localhost`); `target` answers like Prometheus. Each writes the `Authorization`
/// header of every request it gets to its own log, one JSON line each.
private final class RedirectingServers: @unchecked Sendable {
    let redirecting: Int
    let target: Int
    private let directory: URL
    private let process: BackgroundProcess

    private static let script = #"""
        import http.server, json, sys, threading
        directory = sys.argv[1]
        def recorder(name):
            def record(handler):
                with open(directory + "/" + name + ".log", "a") as log:
                    log.write(json.dumps({"path": handler.path, "authorization": handler.headers.get("Authorization")}) + "\n")
            return record
        class Target(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                recorder("target")(self)
                body = b'{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.01"]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_POST = do_GET
            def log_message(self, *args): pass
        target = http.server.HTTPServer(("127.0.0.1", 0), Target)
        class Redirecting(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                recorder("redirecting")(self)
                self.send_response(302)
                self.send_header("Location", "http://localhost:%d%s" % (target.server_port, self.path))
                self.send_header("Content-Length", "0")
                self.end_headers()
            do_POST = do_GET
            def log_message(self, *args): pass
        redirecting = http.server.HTTPServer(("127.0.0.1", 0), Redirecting)
        threading.Thread(target=target.serve_forever, daemon=True).start()
        with open(directory + "/ports.tmp", "w") as ports:
            ports.write("%d %d\n" % (redirecting.server_port, target.server_port))
        import os
        os.rename(directory + "/ports.tmp", directory + "/ports")
        redirecting.serve_forever()
        """#

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-redirect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("servers.py")
        try Data(Self.script.utf8).write(to: script)
        process = try BackgroundProcess(["python3", script.path, directory.path], logFile: directory.appendingPathComponent("servers.out"))
        let portsFile = directory.appendingPathComponent("ports")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOf: portsFile, encoding: .utf8) {
                let ports = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
                guard ports.count == 2 else { break }
                (redirecting, target) = (ports[0], ports[1])
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.stop()
        throw HarnessError("the loopback HTTP servers did not start within 20 s:\n\(process.log)")
    }

    /// The `Authorization` headers `server` ("redirecting" or "target") received, one per request.
    func authorizations(_ server: String) -> [String?] {
        let log = (try? String(contentsOf: directory.appendingPathComponent("\(server).log"), encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map { line in
            let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return record?["authorization"] as? String
        }
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Redirects are refused for analysis queries: URLSession would otherwise follow a redirect
/// from the Prometheus URL to another host and resend the bearer token there. The analysis
/// fails at once and says which URL to set.
@Suite(.serialized) struct PrometheusRedirectTests {
    private static let token = "t0ken-never-forwarded"

    private func analysis(_ server: String) -> Analysis {
        Analysis(prometheus: server, query: "sum(rate(errors_total[5m]))", threshold: 0.05, healthyWhen: .below,
                 bakeTime: .seconds(30), interval: .milliseconds(100), token: nil)
    }

    @Test func aRedirectIsRefusedAndTheTokenNeverReachesTheOtherServer() async throws {
        let servers = try await RedirectingServers()
        defer { servers.stop() }
        let query = PrometheusQuery(analysis("http://127.0.0.1:\(servers.redirecting)/"), token: Secret(Self.token))
        let sample = await query.sample(using: URLSessionPrometheusHTTP(), timeout: .seconds(10))
        #expect(sample == .invalid(
            "Prometheus answered with a redirect to http://localhost:\(servers.target); set analysis.prometheus to the final URL"))
        #expect(servers.authorizations("redirecting") == ["Bearer \(Self.token)"], "the configured server got the query")
        #expect(servers.authorizations("target").isEmpty, "the server redirected to got no request at all")

        // The target does record what reaches it: a direct request shows up in its log.
        let direct = URL(string: "http://127.0.0.1:\(servers.target)/api/v1/query?query=1")!
        let (_, response) = try await URLSession.shared.data(from: direct)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(servers.authorizations("target") == [nil])
    }

    @Test func anAnalysisAgainstARedirectingServerFailsAtOnceWithoutRetrying() async throws {
        let servers = try await RedirectingServers()
        defer { servers.stop() }
        let run = AnalysisRun(analysis: analysis("http://127.0.0.1:\(servers.redirecting)"), token: Secret(Self.token))
        let verdict = await run.run()
        #expect(!verdict.passed)
        #expect(verdict.samples == 1, "a redirect is not asked again: the bake time of \(run.planned) queries ends at the first")
        #expect(verdict.reason.contains("redirect to http://localhost:\(servers.target);"))
        #expect(!verdict.reason.contains(Self.token))
        #expect(servers.authorizations("target").isEmpty)
    }

    /// Alert webhooks do not follow redirects either: the alert's body would reach a host the
    /// config does not name. The delivery fails at once (no retry) and says what to set.
    @Test func anAlertWebhookThatRedirectsIsNotFollowedNorRetried() async throws {
        let servers = try await RedirectingServers()
        defer { servers.stop() }
        let delivery = WebhookDelivery(timeout: .seconds(5), attempts: 3, backoff: .milliseconds(10))
        let outcome = await delivery.post(Data(#"{"event":"rollback"}"#.utf8), to: URL(string: "http://127.0.0.1:\(servers.redirecting)/hook")!)
        guard case .failed(let failure, let attempts) = outcome else {
            Issue.record("a redirect is not a delivery: \(outcome)")
            return
        }
        #expect(attempts == 1, "a redirect is not retried")
        #expect(failure.description.contains("HTTP 302, a redirect, which is not followed"), "\(failure)")
        #expect(servers.authorizations("redirecting").count == 1, "the configured receiver got the post")
        #expect(servers.authorizations("target").isEmpty, "the host redirected to got nothing")
    }
}
