import ArgumentParser
import FerryConfig
import FerryCore
import FerryDaemon
import Foundation

/// `ferry reconcile --interval`: the daemon, and the metrics both modes write.
extension ReconcileCommand {
    /// The shortest interval: a run every second already hammers every host.
    static let shortestInterval = Duration.seconds(1)

    /// The `--interval` duration, checked; nil without the flag.
    static func interval(_ text: String?) throws -> Duration? {
        guard let text else { return nil }
        guard let interval = DurationText.parse(text), interval >= shortestInterval else {
            throw ValidationError("--interval takes a duration of at least 1s, such as 60s, 5m or 1h, not \(text)")
        }
        return interval
    }

    /// Runs the daemon until SIGTERM or SIGINT: a reconcile at once, then every `interval`,
    /// and on a signed webhook; `/metrics`, `/healthz` and `/readyz` on the `listen` address.
    func runDaemon(request: ReconcileRequest, interval: Duration, environment: [String: String], output: AuditCommand.Output) async throws {
        EngineLogs.bootstrap()
        let settings = request.settings
        let listen: ListenAddress
        let secret: WebhookSecret?
        do {
            guard let address = ListenAddress(settings.listen) else {
                throw DaemonError("`\(settings.listen)` is not an address and port", hint: "write the setting listen like 127.0.0.1:9464")
            }
            listen = address
            secret = try WebhookSecret.load(file: settings.webhookSecretFile, environment: environment)
        } catch let error as DaemonError {
            output.writeError("ferry: \(error)\n")
            throw FerryExitCode.invalidSettings.exit
        }
        let metrics = FerryMetrics()
        let json = json
        let intervalText = self.interval ?? ""
        let quiet = quietOption.quiet
        let daemon = Daemon(
            configuration: DaemonConfiguration(request: request, interval: interval, listen: listen, webhookSecret: secret),
            metrics: metrics,
            services: [ServiceHealthLoop(settings: settings, environment: environment, metrics: metrics)],
            onListening: { address in
                EngineLogs.say("reconciling every \(intervalText); listening on http://\(address) (/metrics /healthz /readyz\(secret == nil ? "" : " /hooks/git"))",
                               plain: output.writeError)
            },
            onRun: { reason, result in
                switch result {
                case .success(let report):
                    if json || !quiet || !report.converged {
                        output.write((json ? ReconcileReportJSON.render(report) : "[\(reason.rawValue)] " + report.text) + "\n")
                        fflush(nil)
                    }
                case .failure(let error):
                    let message = "ferry: [\(reason.rawValue)] \(error)"
                    EngineLogs.say("[\(reason.rawValue)] \(error)", level: .error, plain: output.writeError)
                    // Under --json every run prints one document: its report, or the error that stopped it.
                    if json {
                        output.write(JSONErrorReport.document(error: message, exitCode: FerryExitCode(error).rawValue).serialized() + "\n")
                        fflush(nil)
                    }
                }
                if let path = settings.metricsFile { _ = Self.writeMetrics(metrics, to: path, output: output) }
            },
            onHook: { verdict in
                switch verdict {
                case .accepted(let sender, let newRun):
                    if !quiet {
                        EngineLogs.say("\(sender.rawValue) webhook: \(newRun ? "reconcile queued" : "joins the queued reconcile")", plain: output.writeError)
                    }
                case .limited(let sender):
                    EngineLogs.say("\(sender.rawValue) webhook refused with 429: past the rate limit", level: .warning, plain: output.writeError)
                case .refused(let refusal):
                    EngineLogs.say("webhook refused with 401: \(refusal)", level: .warning, plain: output.writeError)
                }
            },
            onStopping: {
                EngineLogs.say("stopping: the run in flight (if any) finishes first", plain: output.writeError)
            })
        do {
            try await RunOutput(logging: logging, quiet: quiet, style: .standardError(environment: environment)).during {
                try await daemon.run()
            }
            EngineLogs.say("stopped", plain: output.writeError)
        } catch let error as DaemonError {
            EngineLogs.say("\(error)", level: .error, plain: output.writeError)
            throw FerryExitCode.failure.exit
        }
    }

    /// Writes `metrics` to the metrics file (`--metrics-file`); false, with the reason on
    /// standard error, when it cannot.
    static func writeMetrics(_ metrics: FerryMetrics, to path: String, output: AuditCommand.Output) -> Bool {
        do {
            try metrics.write(toFile: path)
            return true
        } catch {
            EngineLogs.say("cannot write the metrics file: \(error) (check metrics_file: its directory must exist and be writable)", level: .error,
                           plain: output.writeError)
            return false
        }
    }
}
