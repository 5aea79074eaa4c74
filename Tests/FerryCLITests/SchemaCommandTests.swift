import FerryConfig
import Foundation
import Testing
@testable import FerryCLI

@Suite struct SchemaCommandTests {
    @Test func printsADraft202012Schema() throws {
        let output = try SchemaCommand.parse([]).output()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let definitions = try #require(object["$defs"] as? [String: Any])
        #expect(definitions["Service"] != nil)
        #expect(definitions["Host"] != nil)
        let properties = try #require(object["properties"] as? [String: Any])
        #expect(Set(properties.keys) == ["include", "hosts", "defaults", "services", "security", "alerts", "metrics", "logging"])
    }

    @Test func printsTheMarkdownReferenceAndTheAgentSchema() throws {
        #expect(try SchemaCommand.parse(["--format", "markdown"]).output() == ConfigSchema.markdownReference())
        #expect(try SchemaCommand.parse(["--format", "markdown", "--agent"]).output() == ConfigSchema.agentSettingsReference())
        let agent = try SchemaCommand.parse(["--agent"]).output()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(agent.utf8)) as? [String: Any])
        let properties = try #require(object["properties"] as? [String: Any])
        #expect(properties["state_dir"] != nil)
        #expect(properties.count == AgentSettings.descriptions.count)
    }

    @Test func helpShowsAnExample() {
        let help = SchemaCommand.helpMessage()
        #expect(help.contains("Example:"))
        #expect(help.contains("yaml-language-server"))
    }

    @Test func refusesAnUnknownFormat() {
        #expect(throws: (any Error).self) { try SchemaCommand.parse(["--format", "xml"]) }
    }
}
