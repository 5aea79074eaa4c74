import Foundation
import Testing
import _FerryTestHosts

/// One JSON convention: every command that prints a report takes `--json`; every document
/// carries `"schema": "ferry.<command>/v1"`; an error under `--json` is a `ferry.error/v1`
/// document on standard output with the exit code. Each output of the real binary — success
/// and error — is validated against the schema `ferry schema --output <name>` publishes, by
/// Python's `jsonschema` (Draft 2020-12), against a real Git repository and a real sshd host.
@Suite(.serialized) struct JSONConventionTests {
    /// The `ferry` binary built next to the test bundle.
    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// One output to check: the document name it must carry, what printed it, its exit code.
    private struct Document {
        var name: String
        var command: String
        var output: ProcessOutput
        var exitCode: Int32
    }

    /// A config repository with one service on one real host, and the agent flags for it.
    private final class World: @unchecked Sendable {
        let fleet: TestFleet
        let work: URL
        let state: URL

        init(fleet: TestFleet) throws {
            self.fleet = fleet
            work = fleet.directory.appendingPathComponent("config")
            state = fleet.directory.appendingPathComponent("state")
            try HarnessCommand.runChecked(["git", "init", "-q", "-b", "main", work.path])
        }

        var agentArguments: [String] {
            ["--repository", work.path, "--state-dir", state.path, "--ssh-key", fleet.clientKey.path, "--known-hosts", fleet.knownHosts.path]
        }

        func write(_ path: String, _ contents: String) throws {
            let file = work.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: file)
        }

        func commit(_ message: String) throws {
            for arguments in [["add", "-A"], ["commit", "-qm", message]] {
                try HarnessCommand.runChecked(["git", "-C", work.path, "-c", "user.name=Test", "-c", "user.email=test@ferry.invalid"] + arguments)
            }
        }

        func head() throws -> String {
            try HarnessCommand.runChecked(["git", "-C", work.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func config(marker: String) throws {
            let host = fleet.hosts[0]
            try write("ferry.yaml", """
                hosts:
                  h0: { address: \(host.address), user: root }
                services:
                  api:
                    hosts: [h0]
                    sources: ["api/**"]
                    remote_dir: /srv/api
                    run: { command: "sh api/run.sh", manager: process }
                    health_check: { command: "true", timeout: 2s, interval: 200ms, retries: 3 }

                """)
            try write("api/run.sh", "echo \(marker)\nexec sleep 600\n")
        }
    }

    /// Runs the binary with `arguments` (and the world's agent flags when `agent`).
    private func ferry(_ arguments: [String], _ world: World? = nil) throws -> ProcessOutput {
        try HarnessCommand.run([Self.binary] + arguments + (world?.agentArguments ?? []),
                               environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "FERRY_AGENT_FILE": "/dev/null"],
                               timeout: 120)
    }

    /// Checks every document: it parses, carries `ferry.<name>/v1`, and `jsonschema` finds it valid
    /// against the schema the binary publishes for `name`.
    private func validate(_ documents: [Document]) throws {
        var cases: [[String: Any]] = []
        for document in documents {
            #expect(document.output.status == document.exitCode,
                    "\(document.command): exit \(document.output.status), expected \(document.exitCode): \(document.output.stdout)\(document.output.stderr)")
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(document.output.stdout.utf8)) as? [String: Any],
                                      "\(document.command) prints one JSON object: \(document.output.stdout)\(document.output.stderr)")
            #expect(object["schema"] as? String == "ferry.\(document.name)/v1", "\(document.command): \(document.output.stdout)")
            if document.name == "error" {
                #expect(object["exit_code"] as? Int == Int(document.exitCode), "\(document.command): \(document.output.stdout)")
            }
            let schema = try ferry(["schema", "--output", document.name])
            #expect(schema.status == 0, "\(schema.stderr)")
            cases.append(["command": document.command, "schema": schema.stdout, "document": document.output.stdout])
        }
        let input = String(decoding: try JSONSerialization.data(withJSONObject: cases), as: UTF8.self)
        let script = """
            import json, sys, jsonschema
            failures = []
            for case in json.load(sys.stdin):
                schema = json.loads(case["schema"])
                jsonschema.Draft202012Validator.check_schema(schema)
                errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(case["document"])))
                failures += [case["command"] + ": " + e.message + " at " + "/".join(map(str, e.absolute_path)) for e in errors]
            print("\\n".join(failures))
            sys.exit(1 if failures else 0)
            """
        let check = try HarnessCommand.run(["python3", "-c", script], input: input, timeout: 60)
        #expect(check.status == 0, "jsonschema: \(check.stdout)\(check.stderr)")
        #expect(cases.count == documents.count)
    }

    @Test func everySchemaIsPublishedAndValidJSONSchema() throws {
        let names = ["reconcile", "plan", "drift", "status", "releases", "changes", "validate", "audit-verify",
                     "version", "diff", "rollback", "redeploy", "shutdown", "unlock", "suspend", "resume", "approve", "render", "error"]
        for name in names {
            let schema = try ferry(["schema", "--output", name])
            #expect(schema.status == 0, "\(name): \(schema.stderr)")
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(schema.stdout.utf8)) as? [String: Any], "\(name)")
            #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        }
        let unknown = try ferry(["schema", "--output", "nope"])
        #expect(unknown.status == 64 && unknown.stderr.contains("--output takes one of"), "\(unknown.stderr)")
        let docs = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/json-output.md"), encoding: .utf8)
        for name in names {
            #expect(docs.contains("\"schema\": \"ferry.\(name)/v1\""), "docs/json-output.md shows an example of ferry.\(name)/v1")
        }
    }

    @Test func everyCommandsJSONSuccessAndErrorValidatesAgainstItsSchema() async throws {
        let world = try World(fleet: try await TestFleet.start(hostCount: 1))
        defer { world.fleet.stop() }
        try world.config(marker: "v1")
        try world.commit("first")
        let first = try world.head()
        var documents: [Document] = []
        func add(_ name: String, _ arguments: [String], agent: Bool = true, exit: Int32 = 0) throws {
            documents.append(Document(name: name, command: arguments.joined(separator: " "),
                                      output: try ferry(arguments, agent ? world : nil), exitCode: exit))
        }

        // Before anything ran: what needs no host, and the plan.
        try add("version", ["version", "--json"], agent: false)
        try add("validate", ["validate", world.work.path, "--json"], agent: false)
        try add("status", ["status", "--json"])
        try add("plan", ["plan", "--json"])
        try add("reconcile", ["reconcile", "--once", "--json"])

        // After the first deploy.
        try world.config(marker: "v2")
        try world.commit("second")
        try add("diff", ["diff", first, "HEAD", "--repo", world.work.path, "--json"], agent: false)
        try add("drift", ["drift", "--json"], exit: 3)
        try add("changes", ["changes", "api", "--json"])
        try add("reconcile", ["reconcile", "--once", "--json"])
        try add("releases", ["status", "--releases", "--json"])
        try add("audit-verify", ["audit", "verify", "--json"])
        try add("redeploy", ["redeploy", "api", "--json"])
        try add("rollback", ["rollback", "api", "--json"])
        try add("error", ["redeploy", "api", "--json"], exit: 1)
        try add("shutdown", ["shutdown", "api", "--json"])
        try add("unlock", ["unlock", "api", "--json"])
        try add("suspend", ["suspend", "api", "--json"])
        try add("suspend", ["suspend", "api", "--json"])
        try add("resume", ["resume", "api", "--json"])
        try add("error", ["resume", "api", "--json"], exit: 1)
        try add("approve", ["approve", "api", "--json"])
        try add("render", ["render", "api", "--out", world.fleet.directory.appendingPathComponent("rendered").path, "--json"])
        try add("error", ["render", "nosuch", "--out", world.fleet.directory.appendingPathComponent("rendered").path, "--json"], exit: 64)

        // Errors are JSON too, with the exit code.
        try add("error", ["changes", "nosuch", "--json"], exit: 1)
        try add("error", ["rollback", "nosuch", "--json"], exit: 1)
        try add("error", ["redeploy", "api", "--json", "--parallelism", "0"], exit: 78)
        try add("error", ["shutdown", "api", "--json", "--parallelism", "0"], exit: 78)
        try add("error", ["unlock", "api", "--json", "--parallelism", "0"], exit: 78)
        try add("error", ["status", "--json", "--parallelism", "0"], exit: 78)
        try add("error", ["drift", "--json", "--parallelism", "0"], exit: 1)
        try add("error", ["plan", "--json", "--parallelism", "0"], exit: 78)
        try add("error", ["diff", "nosuch", "HEAD", "--repo", world.work.path, "--json"], agent: false, exit: 1)
        try add("error", ["plan", "--json", "--no-such-flag"], exit: 64)
        try add("error", ["reconcile", "--json"], exit: 64)
        try world.write("ferry.yaml", "hosts: [\n")
        try world.commit("an invalid config")
        try add("error", ["reconcile", "--once", "--json"], exit: 78)
        try add("error", ["plan", "--json"], exit: 78)

        try validate(documents)
        let invalid = try #require(documents.last(where: { $0.command.hasPrefix("reconcile") }))
        #expect(invalid.output.stdout.contains("invalid"), "the error says what is wrong: \(invalid.output.stdout)")
    }
}
