import Foundation
import Testing
@testable import FerryConfig

/// `depends_on`: each name must be a service of the config and the dependencies must not loop;
/// both are errors at the entry that names the service. A valid list reaches the model.
@Suite struct DependsOnTests {
    private static let hosts = "hosts:\n  web-1: { address: 10.0.0.5, user: deploy }\n"

    /// A config with the services `name: depends_on` (nil: no key), in this order.
    private static func config(_ services: [(String, String?)]) -> String {
        hosts + "services:\n" + services.map { name, dependsOn in
            "  \(name):\n    hosts: [web-1]\n    sources: [\"app.py\"]\n    remote_dir: /srv/\(name)\n    run: { command: x }\n"
                + (dependsOn.map { "    depends_on: \($0)\n" } ?? "")
        }.joined()
    }

    private func load(_ yaml: String) throws -> ConfigLoadResult {
        let repository = try TestRepository(["ferry.yaml": yaml, "app.py": ""])
        defer { repository.remove() }
        return try repository.load()
    }

    /// `line:column` of the `occurrence`-th (from 1) `marker` in `text`.
    private func position(of marker: String, occurrence: Int = 1, in text: String) -> String? {
        var searchFrom = text.startIndex
        var found: Range<String.Index>?
        for _ in 0..<occurrence {
            guard let range = text.range(of: marker, range: searchFrom..<text.endIndex) else { return nil }
            found = range
            searchFrom = range.upperBound
        }
        guard let found else { return nil }
        let before = text[..<found.lowerBound]
        return "\(before.filter { $0 == "\n" }.count + 1):\(before.reversed().prefix { $0 != "\n" }.count + 1)"
    }

    @Test func aValidListReachesTheModel() throws {
        let result = try load(Self.config([("api", "[db, cache]"), ("cache", nil), ("db", "[]")]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        let configuration = try #require(result.configuration)
        #expect(configuration.service(named: "api")?.dependsOn == ["db", "cache"])
        #expect(configuration.service(named: "db")?.dependsOn == [])
        #expect(configuration.service(named: "cache")?.dependsOn == [])
    }

    @Test func anUnknownServiceIsAnErrorAtItsEntryWithASuggestion() throws {
        let yaml = Self.config([("api", "[dbb]"), ("db", nil)])
        let result = try load(yaml)
        #expect(result.configuration == nil)
        let error = try #require(result.errors.first { $0.kind == .unknownService }, "\(result.errors.map(\.description))")
        #expect("\(error.location.line):\(error.location.column)" == position(of: "dbb", in: yaml))
        #expect(error.message.contains("`dbb`") && error.message.contains("`api`"), "\(error.message)")
        #expect(error.hint == "did you mean `db`?")
        #expect(result.errors.count == 1, "\(result.errors.map(\.description))")
    }

    @Test func aCycleIsAnErrorAtTheEntryThatClosesIt() throws {
        let yaml = Self.config([("a", "[b]"), ("b", "[c]"), ("c", "[a]")])
        let result = try load(yaml)
        #expect(result.configuration == nil)
        let cycles = result.errors.filter { $0.kind == .dependencyCycle }
        #expect(cycles.count == 1, "one cycle, reported once: \(result.errors.map(\.description))")
        let error = try #require(cycles.first)
        #expect(error.message.contains("`a` → `b` → `c` → `a`"), "\(error.message)")
        // `c: depends_on: [a]` closes the cycle that starts at `a`.
        #expect("\(error.location.line):\(error.location.column)" == position(of: "[a]", in: yaml).map { pos in
            let parts = pos.split(separator: ":")
            return "\(parts[0]):\(Int(parts[1])! + 1)"
        })
    }

    @Test func aServiceDependingOnItselfIsACycle() throws {
        let yaml = Self.config([("api", "[api]")])
        let result = try load(yaml)
        #expect(result.configuration == nil)
        let error = try #require(result.errors.first { $0.kind == .dependencyCycle }, "\(result.errors.map(\.description))")
        #expect(error.message.contains("`api` → `api`"), "\(error.message)")
    }

    @Test func aDiamondIsNoCycle() throws {
        let result = try load(Self.config([("a", "[b, c]"), ("b", "[d]"), ("c", "[d]"), ("d", nil)]))
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
    }

    @Test func aNameThatIsNotAServiceNameIsRefused() throws {
        let result = try load(Self.config([("api", "[\"Bad Name\"]")]))
        #expect(result.configuration == nil)
        #expect(result.errors.contains { $0.kind == .invalidName }, "\(result.errors.map(\.description))")
    }

    @Test func defaultsCannotSetIt() throws {
        let result = try load(Self.config([("api", nil)]) + "defaults:\n  depends_on: [api]\n")
        #expect(result.configuration == nil)
        #expect(result.errors.contains { $0.kind == .unknownKey }, "\(result.errors.map(\.description))")
    }
}
