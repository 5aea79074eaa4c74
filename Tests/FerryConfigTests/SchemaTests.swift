import Foundation
import Testing
@testable import FerryConfig

@Suite struct SchemaTests {
    private var schema: JSONValue { ConfigSchema.jsonSchema() }

    @Test func isDraft202012() {
        #expect(schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        #expect(schema["additionalProperties"] == .bool(false))
    }

    /// The schema has a definition for every object of the key tables, with
    /// exactly their keys and required keys: it cannot fall behind the model.
    @Test func definesEveryKeyOfEveryTable() throws {
        let definitions = try #require(schema["$defs"])
        for spec in ConfigSchema.reachableSpecs(from: RootKeys.spec) {
            let definition = spec.id == RootKeys.spec.id ? schema : definitions[spec.id] ?? definitions[spec.id + "Partial"]
            guard case .object(let properties)? = definition?["properties"] else {
                Issue.record("no definition for \(spec.id)")
                continue
            }
            #expect(properties.map(\.0) == spec.keys.map(\.name), "\(spec.id)")
            let required = spec.keys.filter(\.isRequired).map { JSONValue.string($0.name) }
            #expect((definition?["required"] ?? .array([])) == .array(required), "\(spec.id)")
        }
        #expect(definitions["DefaultsPartial"]?["required"] == nil)
        #expect(definitions["RunPartial"]?["required"] == nil)
    }

    @Test func docsHoldTheGeneratedReference() throws {
        let docs = try String(contentsOf: TestPaths.docs.appendingPathComponent("config.md"), encoding: .utf8)
        let reference = ConfigSchema.markdownReference()
        #expect(docs.contains(reference), "docs/config.md is stale: regenerate its key reference with `ferry schema --format markdown`")
        #expect(docs.contains(ConfigSchema.agentSettingsReference()), "docs/config.md is stale: regenerate the agent table with `ferry schema --agent --format markdown`")
        for spec in ConfigSchema.reachableSpecs(from: RootKeys.spec) {
            #expect(reference.contains("### `\(spec.path)`"))
        }
    }

    @Test func docsExampleIsValid() throws {
        let docs = try String(contentsOf: TestPaths.docs.appendingPathComponent("config.md"), encoding: .utf8)
        let afterHeading = try #require(docs.range(of: "## A complete example")).upperBound
        let start = try #require(docs.range(of: "```yaml\n", range: afterHeading..<docs.endIndex)).upperBound
        let end = try #require(docs.range(of: "```", range: start..<docs.endIndex)).lowerBound
        let repository = try TestRepository(["ferry.yaml": String(docs[start..<end])])
        defer { repository.remove() }
        let result = try repository.load()
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        #expect(result.configuration?.service(named: "ml_predictor")?.hosts == ["ml-1"])
    }

    @Test func agentFileSchemaListsEverySetting() {
        guard case .object(let properties)? = ConfigSchema.agentFileJSONSchema()["properties"] else {
            Issue.record("no properties")
            return
        }
        #expect(properties.map(\.0) == AgentSettings.descriptions.map(\.key))
    }

    @Test func serialisationEscapesControlCharacters() {
        let value = JSONValue.object([("a\"b", .string("line\nnext\u{1}")), ("n", .double(1.5)), ("i", .double(2))])
        #expect(value.serialized(pretty: false) == #"{"a\"b":"line\nnext\u0001","n":1.5,"i":2}"#)
    }
}

/// Validates documents with Python's `jsonschema` against `ferry schema`'s
/// output: the fixtures must pass, structurally broken corpus entries must not.
@Suite(.enabled(if: Python.isAvailable, "python3 is not installed; the JSON Schema check needs python3 with the jsonschema package"))
struct JSONSchemaValidatorTests {
    private static let script = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            print("MISSING jsonschema: pip install jsonschema")
            sys.exit(3)
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for path in sys.argv[2:]:
            errors = list(validator.iter_errors(json.load(open(path))))
            print(("INVALID " if errors else "VALID ") + path.rsplit("/", 1)[-1])
        """

    /// The documents of a repository directory, as JSON typed like Ferry types them.
    private func documents(in directory: URL) throws -> [(name: String, json: JSONValue)] {
        let source = try DirectoryConfigSource(root: directory.path)
        return try source.list(under: "").filter { $0.path.hasSuffix(".yaml") }.map { entry in
            var diagnostics: [ConfigDiagnostic] = []
            var reader = YAMLDocumentReader()
            let data = try #require(try source.read(entry.path))
            let node = try #require(reader.read(data, file: entry.path, diagnostics: &diagnostics))
            return (entry.path, node.json)
        }
    }

    private func validate(_ documents: [(name: String, json: JSONValue)]) async throws -> [String: Bool] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let schemaPath = directory.appendingPathComponent("schema.json")
        try ConfigSchema.jsonSchema().serialized().write(to: schemaPath, atomically: true, encoding: .utf8)
        var paths: [String] = []
        for (index, document) in documents.enumerated() {
            let path = directory.appendingPathComponent("\(index)-\(document.name.replacingOccurrences(of: "/", with: "_")).json")
            try document.json.serialized().write(to: path, atomically: true, encoding: .utf8)
            paths.append(path.path)
        }
        let result = try await Python.run(script: Self.script, arguments: [schemaPath.path] + paths, timeout: .seconds(60))
        #expect(result.status == 0, "\(result.output)")
        var verdicts: [String: Bool] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            verdicts[String(parts[1])] = parts[0] == "VALID"
        }
        #expect(verdicts.count == documents.count, "\(result.output)")
        return verdicts
    }

    @Test func fixturesSatisfyTheSchema() async throws {
        var all: [(name: String, json: JSONValue)] = []
        for fixture in FixtureTests.names {
            all += try documents(in: TestPaths.fixtures.appendingPathComponent(fixture)).map { ("\(fixture)/\($0.name)", $0.json) }
        }
        #expect(all.count == 5)
        let verdicts = try await validate(all)
        #expect(verdicts.values.allSatisfy { $0 }, "\(verdicts)")
    }

    static let structuralCases = [
        "unknown-key-service", "unknown-key-host", "unknown-top-level-key", "missing-run", "missing-sources", "port-as-string",
        "sources-not-a-list", "port-out-of-range", "duration-bare-number", "duration-bad-unit", "enum-typo", "boolean-yes",
        "conflicting-health-probes", "batch-over-100-percent", "tls-version-too-old", "secret-reference-two-sources",
        "host-name-shell-metacharacters", "service-name-uppercase", "empty-selector", "alert-route-unknown-event",
        "unknown-ssh-cipher", "key-only-in-hosts-set-in-defaults", "sources-absolute",
    ]

    /// One Python run for all cases: each must have a document the schema rejects.
    @Test func structuralErrorsAreRejectedByTheSchemaToo() async throws {
        var all: [(name: String, json: JSONValue)] = []
        for name in Self.structuralCases {
            all += try documents(in: TestPaths.corpus.appendingPathComponent(name)).map { ("\(name)/\($0.name)", $0.json) }
        }
        let verdicts = try await validate(all)
        for name in Self.structuralCases {
            let rejected = verdicts.contains { $0.key.contains("-\(name)_") && !$0.value }
            #expect(rejected, "\(name): the schema accepts what ferry validate refuses")
        }
    }
}

/// Runs python3 scripts for the JSON Schema check.
enum Python {
    static var isAvailable: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
    }

    /// Runs `python3 -c script arguments…`, killing it (by pid) after `timeout`.
    static func run(script: String, arguments: [String], timeout: Duration) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-python-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            Task {
                try? await Task.sleep(for: timeout)
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        try output.close()
        return (status, try String(contentsOf: outputURL, encoding: .utf8))
    }
}
