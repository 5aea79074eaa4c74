/// One key of an object: its name, how its value is read, its docs, and
/// whether this version of Ferry acts on it.
struct KeySpec<Value: Sendable>: Sendable {
    let name: String
    let value: ValueSpec<Value>
    let isRequired: Bool
    let defaultValue: Value?
    let defaultText: String?
    let doc: String
    /// Whether Ferry acts on the key; a key that is not supported is refused where it is written.
    private(set) var status: SupportStatus = .supported

    /// A key that must be present.
    static func required(_ name: String, _ value: ValueSpec<Value>, doc: String) -> KeySpec {
        KeySpec(name: name, value: value, isRequired: true, defaultValue: nil, defaultText: nil, doc: doc)
    }

    /// A key that may be absent, with nothing in its place (or a default
    /// described by `defaultText` that depends on other keys).
    static func optional(_ name: String, _ value: ValueSpec<Value>, defaultText: String? = nil, doc: String) -> KeySpec {
        KeySpec(name: name, value: value, isRequired: false, defaultValue: nil, defaultText: defaultText, doc: doc)
    }

    /// A key that takes `defaultValue` when absent.
    static func defaulted(_ name: String, _ value: ValueSpec<Value>, _ defaultValue: Value, _ defaultText: String, doc: String) -> KeySpec {
        KeySpec(name: name, value: value, isRequired: false, defaultValue: defaultValue, defaultText: defaultText, doc: doc)
    }

    /// The same key, on the not-yet-supported list: written by a user, it is
    /// an error whose hint says what to do `instead`; `issue` will implement it.
    func notSupported(issue: Int, instead: String) -> KeySpec {
        withStatus(.notSupported(issue: issue, instead: instead))
    }

    /// The same key with `status`.
    func withStatus(_ status: SupportStatus) -> KeySpec {
        var copy = self
        copy.status = status
        return copy
    }

    /// The key without its type, for object specs, schemas and docs.
    var info: KeyInfo {
        let decode = value.decode
        return KeyInfo(
            name: name, typeName: value.typeName, isRequired: isRequired, defaultText: defaultText, doc: doc,
            status: status, unsupportedValues: value.unsupportedValues,
            schema: value.schema, objects: value.objects, merge: value.merge,
            validate: { node, context in _ = decode(node, context) })
    }
}

/// A key without its Swift type.
struct KeyInfo: Sendable {
    let name: String
    let typeName: String
    let isRequired: Bool
    let defaultText: String?
    let doc: String
    /// Whether Ferry acts on the key.
    let status: SupportStatus
    /// Values of the key that Ferry does not act on.
    let unsupportedValues: [UnsupportedValue]
    let schema: @Sendable (inout SchemaBuilder) -> JSONValue
    let objects: [ObjectSpec]
    let merge: MergeRule
    /// Decodes a value only to report its problems (for `defaults`).
    let validate: @Sendable (ConfigNode, DecodingContext) -> Void

    /// The docs of the key, after its status when it is not supported.
    var documentation: String {
        var text = status.docPrefix + doc
        if !unsupportedValues.isEmpty {
            text += " Not supported by this version of Ferry: " + unsupportedValues.map(\.subject).joined(separator: ", ") + "."
        }
        return text
    }

    /// The same key, not required.
    var asOptional: KeyInfo {
        documented(defaultText: defaultText, doc: doc)
    }

    /// The key, optional, with another default text and description (a copied key whose
    /// default differs where it is copied to).
    func documented(defaultText: String?, doc: String) -> KeyInfo {
        KeyInfo(
            name: name, typeName: typeName, isRequired: false, defaultText: defaultText, doc: doc, status: status,
            unsupportedValues: unsupportedValues, schema: schema, objects: objects, merge: merge, validate: validate)
    }
}

/// A set of keys of which at most one (or, when `isRequired`, exactly one) may be set.
struct ExclusiveGroup: Sendable {
    let keys: [String]
    let isRequired: Bool
}

/// A YAML mapping with a fixed set of keys: a host, a service, a health check.
struct ObjectSpec: Sendable {
    /// The name of its JSON Schema definition (`Host`, `HealthCheck`).
    let id: String
    /// Where it sits in the config, for docs and messages (`services.<name>.health_check`).
    let path: String
    /// What it describes.
    let doc: String
    /// Its keys, in the order the docs list them.
    let keys: [KeyInfo]
    /// Keys that exclude each other.
    let exclusiveGroups: [ExclusiveGroup]
    /// A YAML example for the docs.
    let example: String
    /// How messages name it ("the health check", "host").
    let noun: String
    /// Keys copied from another spec by `restricted(to:…)`, described there.
    let copiedKeyNames: Set<String>

    init(
        id: String, path: String, noun: String? = nil, doc: String, keys: [KeyInfo], exclusive: [ExclusiveGroup] = [],
        example: String, copiedKeyNames: Set<String> = []
    ) {
        self.id = id
        self.path = path
        self.doc = doc
        self.keys = keys
        self.exclusiveGroups = exclusive
        self.example = example
        self.noun = noun ?? "`\(path.split(separator: ".").last ?? Substring(path))`"
        self.copiedKeyNames = copiedKeyNames
    }

    /// The keys defined by this spec itself, not copied from another.
    var ownKeys: [KeyInfo] { keys.filter { !copiedKeyNames.contains($0.name) } }

    /// The spec's keys by name.
    func key(_ name: String) -> KeyInfo? { keys.first { $0.name == name } }

    /// A copy restricted to the keys named, none of them required, for
    /// `defaults` (which accepts the inheritable keys of a service).
    /// `documenting` gives a copied key another default text and description, by name.
    func restricted(to names: [String], id: String, path: String, doc: String, example: String, adding extra: [KeyInfo] = [],
                    documenting: [String: (defaultText: String, doc: String)] = [:]) -> ObjectSpec {
        let copied = keys.filter { names.contains($0.name) }
        return ObjectSpec(
            id: id, path: path, noun: "`\(path)`", doc: doc,
            keys: copied.map { key in documenting[key.name].map { key.documented(defaultText: $0.defaultText, doc: $0.doc) } ?? key.asOptional }
                + extra,
            exclusive: exclusiveGroups.filter { $0.keys.allSatisfy(names.contains) }.map { ExclusiveGroup(keys: $0.keys, isRequired: false) },
            example: example, copiedKeyNames: Set(copied.map(\.name)))
    }
}
