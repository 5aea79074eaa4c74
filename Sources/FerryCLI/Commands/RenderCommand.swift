import ArgumentParser
import FerryConfig
import FerryCore
import Foundation

/// `ferry render SERVICE --out DIR`: writes the generated artifacts of one service.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write a service's systemd units, deploy and health-check scripts, and Prometheus alert rules.",
        discussion: """
            Renders SERVICE from the config the agent's clone holds (the commit the last \
            reconcile fetched; nothing is fetched), or from the directory --config names, \
            into DIR (created if missing; files of the same names are replaced):
              ferry-SERVICE.service      the unit the reconcile installs (manager: systemd), \
            with ferry-SERVICE.socket and ferry-SERVICE-proxy.service for an on_demand or \
            idle-stopped transient service (socket activation through systemd-socket-proxyd), \
            or ferry-SERVICE.socket holding the FIFO of a pipeline_bound service with pipe_closed;
              deploy-SERVICE.sh          a bash script deploying the service over plain ssh \
            without Ferry (break-glass): release, units, hooks, switch, health check, rollback;
              health-check-SERVICE.sh    the service's health check, run on a host;
              ferry.rules.yml            Prometheus alerting rules on Ferry's own metrics;
              SERVICE.rules.yml          the service's declared `alerts` as alerting rules \
            (with `metrics`, also FerryServiceMetricsDown on its targets_file targets).
            The units are the very text the reconcile deploys: one generator serves both.

            Exit codes: 0 written; 1 a file could not be written; 64 no such service; \
            78 invalid agent settings or config.

            Examples:
              $ ferry render api --out ./artifacts
              $ ferry render api --config ./config-repo --out /tmp/api && systemd-analyze verify /tmp/api/*.service
              $ ferry render api --out ./artifacts --json | jq -r '.files[].name'
            """
    )

    @Argument(help: "The service to render.")
    var service: String

    @Option(help: ArgumentHelp("The directory to write the files to.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Read the config from this directory instead of the agent's clone.", valueName: "dir"))
    var config: String?

    @Flag(help: "Print what was written as JSON: {\"schema\": \"ferry.render/v1\", \"service\", \"out\", \"files\": [{\"name\", \"kind\", \"path\"}]}.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await execute(environment: ProcessInfo.processInfo.environment, output: .standard)
    }

    /// Loads the config, renders the service and writes its files.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let configuration: FerryConfiguration
        do {
            if let config {
                configuration = try RenderConfiguration.directory(config)
            } else {
                let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "render", output: output)
                configuration = try await RenderConfiguration.agentClone(settings)
            }
        } catch let error as RenderError {
            output.writeError("ferry render: \(error)\n")
            throw FerryExitCode.invalidSettings.exit
        }
        guard let definition = configuration.service(named: service) else {
            let known = configuration.services.map(\.name).sorted().joined(separator: ", ")
            output.writeError("ferry render: there is no service \"\(service)\" in the config (services: \(known.isEmpty ? "none" : known))\n")
            throw FerryExitCode.usage.exit
        }
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        let artifacts: [RenderedArtifact]
        do {
            artifacts = try ServiceRenderer.artifacts(for: definition, in: configuration)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for artifact in artifacts { try artifact.write(into: directory) }
        } catch {
            output.writeError("ferry render: \(error is RenderError ? "\(error)" : "cannot write \(directory.path): \(error.localizedDescription)")\n")
            throw FerryExitCode.failure.exit
        }
        if json {
            output.write(Self.json(service: service, directory: directory, artifacts: artifacts) + "\n")
        } else {
            output.write("rendered \(service) into \(directory.path):\n"
                         + artifacts.map { "  \($0.name)  (\($0.kind))\n" }.joined())
        }
    }

    static func json(service: String, directory: URL, artifacts: [RenderedArtifact]) -> String {
        let document: [String: Any] = [
            "schema": "ferry.render/v1",
            "service": service,
            "out": directory.path,
            "files": artifacts.map { ["name": $0.name, "kind": $0.kind, "path": directory.appendingPathComponent($0.name).path] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
