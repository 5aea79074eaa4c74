/// How a value found in YAML is read, checked and described — the single
/// definition the decoder, the JSON Schema and the reference docs all use.
struct ValueSpec<Value: Sendable>: Sendable {
    /// How the reference docs name the type (`duration`, `list of glob patterns`).
    var typeName: String
    /// The value's JSON Schema; object specs register themselves as definitions.
    var schema: @Sendable (inout SchemaBuilder) -> JSONValue
    /// Object specs the value contains, for the reference docs.
    var objects: [ObjectSpec] = []
    /// How a service's value combines with the one in `defaults`.
    var merge: MergeRule = .replace
    /// Values this version of Ferry refuses (see `refusing(_:)`), for the reference docs.
    var unsupportedValues: [UnsupportedValue] = []
    /// Reads the value, reporting problems to the context; nil when invalid.
    var decode: @Sendable (ConfigNode, DecodingContext) -> Value?
}

/// How a value written in `defaults` combines with a service's own.
indirect enum MergeRule: Sendable {
    /// The service's value replaces the default.
    case replace
    /// Mappings of names (such as `env`) are combined entry by entry; the service's entries win.
    case entries
    /// Objects are combined key by key, recursively, per the object's spec.
    case object(ObjectSpec)
}

/// A problem with a value of the right YAML type.
struct ValueProblem: Error {
    var kind: ConfigDiagnostic.Kind
    var message: String
    var hint: String?

    init(_ kind: ConfigDiagnostic.Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }
}

extension ValueSpec {
    /// A spec whose decoded values are then checked (and possibly converted) by `refine`.
    func refined<Other: Sendable>(
        typeName: String? = nil,
        _ refine: @escaping @Sendable (Value, ConfigNode) throws(ValueProblem) -> Other
    ) -> ValueSpec<Other> {
        let decode = self.decode
        return ValueSpec<Other>(
            typeName: typeName ?? self.typeName,
            schema: schema,
            objects: objects,
            merge: merge,
            unsupportedValues: unsupportedValues,
            decode: { node, context in
                guard let value = decode(node, context) else { return nil }
                do throws(ValueProblem) {
                    return try refine(value, node)
                } catch {
                    context.report(error.kind, error.message, hint: error.hint, at: node.location)
                    return nil
                }
            })
    }

    /// A spec with additional JSON Schema keywords merged into the generated schema.
    func schemaAdding(_ keywords: [(String, JSONValue)]) -> ValueSpec {
        var copy = self
        let base = schema
        copy.schema = { builder in
            guard case .object(let pairs) = base(&builder) else { return base(&builder) }
            return .object(pairs + keywords)
        }
        return copy
    }
}
