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

    func run() {
        print(output(), terminator: "")
    }

    /// The text printed.
    func output() -> String {
        switch (format, agent) {
        case (.json, false): ConfigSchema.jsonSchema().serialized() + "\n"
        case (.json, true): ConfigSchema.agentFileJSONSchema().serialized() + "\n"
        case (.markdown, false): ConfigSchema.markdownReference()
        case (.markdown, true): ConfigSchema.agentSettingsReference()
        }
    }
}
