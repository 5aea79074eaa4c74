import Foundation
@testable import FerryConfig

/// A config repository in a unique temporary directory, removed by `remove()`.
struct TestRepository {
    let root: URL

    /// A repository holding `files` (path → contents).
    init(_ files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, contents) in files { try write(path, contents) }
    }

    func write(_ path: String, _ contents: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
    }

    func link(_ path: String, to target: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    func load() throws -> ConfigLoadResult {
        ConfigLoader(source: try DirectoryConfigSource(root: root.path)).load()
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// Places in the source tree the tests read.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let corpus = testsDirectory.appendingPathComponent("corpus")
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("fixtures")
    static let docs = packageRoot.appendingPathComponent("docs")
}

/// The smallest valid configuration, as a base for tests that break one thing.
let minimalHosts = """
    hosts:
      web-1: { address: 10.0.0.5, user: deploy, labels: { role: web } }
      web-2: { address: 10.0.0.6, user: deploy, labels: { role: web, zone: b } }

    """

extension ConfigLoadResult {
    /// `kind file:line:column` of each error, for compact assertions.
    var errorSummaries: [String] {
        errors.map { "\($0.kind.rawValue) \($0.location.file):\($0.location.line):\($0.location.column)" }
    }
}

extension ConfigNode {
    /// The node as JSON with the same scalar typing the decoder uses, so that
    /// a JSON Schema validator sees what Ferry sees.
    var json: JSONValue {
        switch content {
        case .mapping(let pairs): return .object(pairs.map { ($0.key, $0.value.json) })
        case .sequence(let items): return .array(items.map(\.json))
        case .scalar(let scalar):
            switch ConfigNode.resolve(scalar) {
            case .null: return .null
            case .boolean(let value): return .bool(value)
            case .integer(let value): return .int(value)
            case .float(let value): return .double(value)
            case .string(let value): return .string(value)
            }
        }
    }
}

/// Decodes `yaml` (one document) with `spec` alone, outside a repository:
/// the value and every problem reported. For settings that the loader
/// refuses as not supported, whose decoding is still kept correct.
func decode<Value>(_ spec: ValueSpec<Value>, _ yaml: String) -> (value: Value?, diagnostics: [ConfigDiagnostic]) {
    var diagnostics: [ConfigDiagnostic] = []
    var reader = YAMLDocumentReader()
    let context = DecodingContext()
    guard let node = reader.read(Data(yaml.utf8), file: "test.yaml", diagnostics: &diagnostics) else { return (nil, diagnostics) }
    let value = spec.decode(node, context)
    return (value, diagnostics + context.diagnostics)
}
