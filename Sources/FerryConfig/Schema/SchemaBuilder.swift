/// Builds a JSON Schema (draft 2020-12) from object specs, collecting each
/// object once under `$defs`. With `relaxed`, objects are built without
/// required keys (for `defaults`), under a `Partial` name.
struct SchemaBuilder {
    private(set) var definitions: [(String, JSONValue)] = []
    private var started = Set<String>()
    var relaxed = false

    /// A `$ref` to the spec's definition, building the definition on first use.
    mutating func reference(to spec: ObjectSpec) -> JSONValue {
        let name = spec.id + (relaxed ? "Partial" : "")
        if started.insert(name).inserted {
            let schema = objectSchema(spec)
            definitions.append((name, schema))
        }
        return .object([("$ref", .string("#/$defs/\(name)"))])
    }

    /// The schema of `spec` itself, not a reference.
    mutating func objectSchema(_ spec: ObjectSpec) -> JSONValue {
        var properties: [(String, JSONValue)] = []
        for key in spec.keys {
            var schema = key.schema(&self)
            if case .object(var pairs) = schema {
                pairs.append(("description", .string(key.documentation)))
                schema = .object(pairs)
            }
            properties.append((key.name, schema))
        }
        var result: [(String, JSONValue)] = [
            ("type", .string("object")),
            ("description", .string(spec.doc)),
            ("properties", .object(properties)),
            ("additionalProperties", .bool(false)),
        ]
        let required = relaxed ? [] : spec.keys.filter(\.isRequired).map { JSONValue.string($0.name) }
        if !required.isEmpty { result.append(("required", .array(required))) }
        var constraints: [JSONValue] = []
        for group in spec.exclusiveGroups {
            if group.isRequired && !relaxed {
                // Exactly one: at least one present and no two together.
                constraints.append(.object([("anyOf", .array(group.keys.map { .object([("required", .array([.string($0)]))]) }))]))
            }
            for (index, first) in group.keys.enumerated() {
                for second in group.keys[(index + 1)...] {
                    constraints.append(.object([("not", .object([("required", .array([.string(first), .string(second)]))]))]))
                }
            }
        }
        if !constraints.isEmpty { result.append(("allOf", .array(constraints))) }
        return .object(result)
    }

    /// Builds `body` with required keys relaxed.
    mutating func relaxing(_ body: (inout SchemaBuilder) -> JSONValue) -> JSONValue {
        let previous = relaxed
        relaxed = true
        defer { relaxed = previous }
        return body(&self)
    }
}
