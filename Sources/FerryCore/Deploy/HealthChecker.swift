import FerryConfig
import FerrySSH
import Foundation

/// Checks a freshly started release, as the service's `health_check` says: HTTP through the
/// SSH connection itself (a tunnel to the host's loopback, so the port need not be exposed)
/// or a command on the host.
struct HealthChecker: Sendable {
    let connection: any HostLink

    /// The verdict and what the last failed attempt said.
    struct Verdict: Sendable {
        var healthy: Bool
        var attempts: Int
        var lastFailure: String?
    }

    /// Probes until `healthyThreshold` successes in a row (healthy), `unhealthyThreshold`
    /// failures in a row, or `retries` attempts (unhealthy), waiting `interval` between attempts;
    /// `attempting(k, n)` is told before attempt k of at most n.
    func check(_ healthCheck: HealthCheck, releaseDirectory: String,
               attempting: @Sendable (Int, Int) -> Void = { _, _ in }) async -> Verdict {
        let attempts = max(healthCheck.retries, healthCheck.healthyThreshold, 1)
        var successes = 0, failures = 0
        var lastFailure: String?
        for attempt in 1...attempts {
            if attempt > 1 { try? await Task.sleep(for: healthCheck.interval) }
            attempting(attempt, attempts)
            if let failure = await probe(healthCheck, releaseDirectory: releaseDirectory) {
                lastFailure = failure
                successes = 0
                failures += 1
                if failures >= max(healthCheck.unhealthyThreshold, 1) && attempt >= attempts { break }
            } else {
                failures = 0
                successes += 1
                if successes >= max(healthCheck.healthyThreshold, 1) {
                    return Verdict(healthy: true, attempts: attempt, lastFailure: nil)
                }
            }
        }
        return Verdict(healthy: false, attempts: attempts, lastFailure: lastFailure)
    }

    /// One probe: nil when healthy, else what went wrong.
    private func probe(_ healthCheck: HealthCheck, releaseDirectory: String) async -> String? {
        do {
            switch healthCheck.probe {
            case .http(let path, let port):
                let response = try await connection.httpGet(port: port, path: path, timeout: healthCheck.timeout)
                return response.isSuccess ? nil : "GET \(path) on port \(port) answered \(response.statusCode) \(response.reason)"
            case .url(let url):
                let seconds = max(1, Int(healthCheck.timeout.components.seconds))
                let result = try await connection.run(
                    "curl -fsS -o /dev/null --max-time \(seconds) \(ShellQuote.quote(url))", timeout: healthCheck.timeout + .seconds(5))
                return result.succeeded ? nil : "\(url): \(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))"
            case .command(let command):
                let seconds = max(1, Int(healthCheck.timeout.components.seconds))
                let result = try await connection.run(
                    "cd \(ShellQuote.quote(releaseDirectory)) && timeout \(seconds) sh -c \(ShellQuote.quote(command))",
                    timeout: healthCheck.timeout + .seconds(5))
                return result.succeeded ? nil : "`\(command)` \(result.endDescription): \(String(result.stderrText.suffix(200)))"
            }
        } catch {
            return "\(error)"
        }
    }
}
