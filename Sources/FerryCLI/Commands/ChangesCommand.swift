import ArgumentParser
import FerryCore
import Foundation

/// `ferry changes SERVICE`: the files that differ between Git and each host.
struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "List the files of a service that differ between Git and each host.",
        discussion: """
            Clones the config repository into a temporary directory, reads the service's current \
            release on every host in one SSH round trip, and lists per host each file whose \
            content differs from Git: path, old (the host's sha256; missing when the host lacks \
            it) and new (Git's sha256; absent when Git no longer has the file). Read-only: no \
            lock, nothing written on any host or in the state directory.

            --json prints {"service", "revision", "hosts": [{"host", "host_revision", "release", \
            "files": [{"path", "old", "new"}], "error"}]} with full hashes.

            Exit codes: 0 every host was read (whether or not files differ); 1 a host could not \
            be read, or the service or host does not exist; 78 invalid settings or config.

            Examples:
              ferry changes api
              ferry changes api --host web-1 --json | jq '.hosts[].files[].path'
            """
    )

    @Argument(help: "The service.")
    var service: String

    @Option(help: "Only this host.")
    var host: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup(title: "Agent settings")
    var agent: AgentOptions

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            try await execute(environment: ProcessInfo.processInfo.environment, output: output)
        }
    }

    /// Compares, prints the report; throws the exit code when it is not 0.
    func execute(environment: [String: String], output: AuditCommand.Output) async throws {
        let settings = try OperatorCommandSupport.settings(agent, environment: environment, command: "changes", output: output)
        let report: ServiceChangesReport
        do {
            report = try await ServiceChanges(request: HostOperationCommand.request(settings, service: service, host: host, environment: environment)).run()
            output.write(json ? try report.json() + "\n" : report.text)
        } catch {
            throw HostOperationCommand.fail("changes", error, output: output)
        }
        if report.exitCode != 0 { throw FerryExitCode.failure.exit }
    }
}
