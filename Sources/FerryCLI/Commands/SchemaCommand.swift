import ArgumentParser
import FerryConfig

/// `ferry schema`: the JSON Schema (or Markdown reference) of the config.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of ferry.yaml, for editors and tools.",
        discussion: """
            The schema (JSON Schema draft 2020-12) is generated from the same key \
            tables `ferry validate` checks with. `ferry validate` remains the \
            authority: it also checks references between hosts and services, the \
            repository's files and the security rules.

            Example:
              $ ferry schema > .ferry.schema.json
              # then, first line of ferry.yaml, for yaml-language-server:
              # yaml-language-server: $schema=.ferry.schema.json
              $ ferry schema --format markdown     # the key reference of docs/config.md
              $ ferry schema --agent               # the schema of /etc/ferry/agent.yaml
              $ ferry schema --output reconcile    # the schema of `ferry reconcile --json`

            --output NAME prints the JSON Schema of a command's --json document \
            ("schema": "ferry.NAME/v1"; docs/json-output.md): \(OutputSchemas.names.joined(separator: ", ")).
            """
    )

    /// What to print.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json
        case markdown
    }

    @Option(help: "json (JSON Schema) or markdown (the key reference).")
    var format: Format = .json

    @Flag(help: "Describe the agent file instead of the config repository.")
    var agent = false

    @Option(name: .customLong("output"), help: ArgumentHelp("Print the JSON Schema of this command's --json document instead (reconcile, plan, drift, status, …, error).",
                               valueName: "name"))
    var document: String?

    func validate() throws {
        if let document, OutputSchemas.schema(document) == nil {
            throw ValidationError("--output takes one of \(OutputSchemas.names.joined(separator: ", ")), not \(document)")
        }
        if document != nil, agent || format != .json {
            throw ValidationError("--output prints a JSON Schema of its own: leave out --agent and --format")
        }
    }

    func run() {
        print(output(), terminator: "")
    }

    /// The text printed.
    func output() -> String {
        if let document, let schema = OutputSchemas.schema(document) { return schema }
        return switch (format, agent) {
        case (.json, false): ConfigSchema.jsonSchema().serialized() + "\n"
        case (.json, true): ConfigSchema.agentFileJSONSchema().serialized() + "\n"
        case (.markdown, false): ConfigSchema.markdownReference()
        case (.markdown, true): ConfigSchema.agentSettingsReference()
        }
    }
}
