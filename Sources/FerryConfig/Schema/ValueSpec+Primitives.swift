/// The building blocks of the key tables: scalars, lists, maps and objects.
extension ValueSpec {
    /// Any non-empty string (or empty when `allowEmpty`), with an optional
    /// JSON Schema `pattern` that the check must agree with.
    static func string(
        _ typeName: String = "string", allowEmpty: Bool = false, pattern: String? = nil,
        check: (@Sendable (String) throws(ValueProblem) -> Void)? = nil
    ) -> ValueSpec<String> {
        ValueSpec<String>(
            typeName: typeName,
            schema: { _ in
                var pairs: [(String, JSONValue)] = [("type", .string("string"))]
                if !allowEmpty { pairs.append(("minLength", .int(1))) }
                if let pattern { pairs.append(("pattern", .string(pattern))) }
                return .object(pairs)
            },
            decode: { node, context in
                guard let text = node.string else {
                    context.wrongType(node, expected: "a string", hint: node.scalarText.map { "quote it: \"\($0)\"" })
                    return nil
                }
                guard allowEmpty || !text.isEmpty else {
                    context.report(.invalidValue, "the value must not be empty", at: node.location)
                    return nil
                }
                do throws(ValueProblem) {
                    try check?(text)
                } catch {
                    context.report(error.kind, error.message, hint: error.hint, at: node.location)
                    return nil
                }
                return text
            })
    }

    /// An integer in `range`.
    static func integer(_ range: ClosedRange<Int>, typeName: String? = nil) -> ValueSpec<Int> {
        ValueSpec<Int>(
            typeName: typeName ?? "integer (\(range.lowerBound)–\(range.upperBound))",
            schema: { _ in
                .object([("type", .string("integer")), ("minimum", .int(range.lowerBound)), ("maximum", .int(range.upperBound))])
            },
            decode: { node, context in
                guard case .integer(let value)? = node.scalarType else {
                    context.wrongType(node, expected: "an integer")
                    return nil
                }
                guard range.contains(value) else {
                    context.report(
                        .outOfRange, "\(value) is out of range: expected \(range.lowerBound) to \(range.upperBound)",
                        at: node.location)
                    return nil
                }
                return value
            })
    }

    /// A number (integer or decimal) in `range`.
    static func number(_ range: ClosedRange<Double>) -> ValueSpec<Double> {
        ValueSpec<Double>(
            typeName: "number",
            schema: { _ in
                .object([("type", .string("number")), ("minimum", .double(range.lowerBound)), ("maximum", .double(range.upperBound))])
            },
            decode: { node, context in
                let value: Double
                switch node.scalarType {
                case .integer(let integer)?: value = Double(integer)
                case .float(let float)? where float.isFinite: value = float
                default:
                    context.wrongType(node, expected: "a number")
                    return nil
                }
                guard range.contains(value) else {
                    context.report(
                        .outOfRange, "\(node.scalarText ?? "") is out of range: expected \(range.lowerBound) to \(range.upperBound)",
                        at: node.location)
                    return nil
                }
                return value
            })
    }

    /// `true` or `false` (not `yes`, `no`, `on` or `off`, which YAML 1.2 reads as strings).
    static var boolean: ValueSpec<Bool> {
        ValueSpec<Bool>(
            typeName: "boolean",
            schema: { _ in .object([("type", .string("boolean"))]) },
            decode: { node, context in
                guard case .boolean(let value)? = node.scalarType else {
                    let word = node.scalarText?.lowercased()
                    let hint = ["yes", "on", "y"].contains(word) ? "write `true`"
                        : ["no", "off", "n"].contains(word) ? "write `false`" : nil
                    context.wrongType(node, expected: "true or false", hint: hint)
                    return nil
                }
                return value
            })
    }

    /// A duration written like `5s`, `2m`, `1h` or `500ms`, within `range`.
    static func duration(_ range: ClosedRange<Duration> = .zero ... .seconds(365 * 86_400)) -> ValueSpec<Duration> {
        ValueSpec<Duration>(
            typeName: "duration",
            schema: { _ in .object([("type", .string("string")), ("pattern", .string(DurationText.pattern))]) },
            decode: { node, context in
                guard let text = node.scalarText, case .scalar = node.content, node.scalarType != .null else {
                    context.wrongType(node, expected: "a duration such as `30s`")
                    return nil
                }
                guard let duration = DurationText.parse(text) else {
                    let bare = Double(text) != nil
                    context.report(
                        .invalidDuration,
                        bare ? "`\(text)` has no unit; a bare number is not a duration"
                            : "`\(ConfigNode.abbreviated(text))` is not a duration",
                        hint: bare ? "write `\(text)s` for seconds or `\(text)ms` for milliseconds"
                            : "write a number and a unit: `500ms`, `30s`, `5m`, `1h`, `1d`",
                        at: node.location)
                    return nil
                }
                guard range.contains(duration) else {
                    context.report(
                        .outOfRange,
                        "\(text) is out of range: expected \(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound))",
                        at: node.location)
                    return nil
                }
                return duration
            })
    }

    /// One of the raw values of `E`, with a "did you mean" hint for typos.
    static func choice<E: CaseIterable & RawRepresentable & Sendable>(_ type: E.Type) -> ValueSpec<E> where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        return ValueSpec<E>(
            typeName: names.map { "`\($0)`" }.joined(separator: " | "),
            schema: { _ in .object([("enum", .array(names.map(JSONValue.string)))]) },
            decode: { node, context in
                guard let text = node.string else {
                    context.wrongType(node, expected: "one of \(names.joined(separator: ", "))")
                    return nil
                }
                guard let value = E(rawValue: text) else {
                    context.report(
                        .invalidValue, "`\(ConfigNode.abbreviated(text))` is not one of \(names.map { "`\($0)`" }.joined(separator: ", "))",
                        hint: Suggestion.hint(for: text, among: names), at: node.location)
                    return nil
                }
                return value
            })
    }

    /// A list of items (at least `minimumCount`); nil when any item is invalid.
    /// A list of `item`s; the values `item` refuses are refused in the list too.
    static func list<Item>(_ item: ValueSpec<Item>, minimumCount: Int = 0, typeName: String? = nil) -> ValueSpec<[Item]> {
        ValueSpec<[Item]>(
            typeName: typeName ?? "list of \(item.typeName)",
            schema: { builder in
                var pairs: [(String, JSONValue)] = [("type", .string("array")), ("items", item.schema(&builder))]
                if minimumCount > 0 { pairs.append(("minItems", .int(minimumCount))) }
                return .object(pairs)
            },
            objects: item.objects,
            unsupportedValues: item.unsupportedValues,
            decode: { node, context in
                guard let nodes = node.items else {
                    context.wrongType(node, expected: "a list")
                    return nil
                }
                guard nodes.count >= minimumCount else {
                    context.report(.invalidValue, "the list needs at least \(minimumCount) item\(minimumCount == 1 ? "" : "s")", at: node.location)
                    return nil
                }
                var values: [Item] = []
                var valid = true
                for itemNode in nodes {
                    if let value = item.decode(itemNode, context) { values.append(value) } else { valid = false }
                }
                return valid ? values : nil
            })
    }

    /// A mapping from names (checked by `key`) to values; nil when any entry is invalid.
    static func map<Item>(keys key: NameRule, _ item: ValueSpec<Item>, typeName: String? = nil) -> ValueSpec<[String: Item]> {
        ValueSpec<[String: Item]>(
            typeName: typeName ?? "mapping of \(key.typeName) to \(item.typeName)",
            schema: { builder in
                .object([
                    ("type", .string("object")),
                    ("propertyNames", .object([("pattern", .string(key.pattern))])),
                    ("additionalProperties", item.schema(&builder)),
                ])
            },
            objects: item.objects,
            merge: .entries,
            decode: { node, context in
                guard let pairs = node.pairs else {
                    context.wrongType(node, expected: "a mapping")
                    return nil
                }
                var values: [String: Item] = [:]
                var valid = true
                for pair in pairs {
                    if let problem = key.problem(pair.key) {
                        context.report(problem.kind, problem.message, hint: problem.hint, at: pair.keyLocation)
                        valid = false
                    }
                    if let value = item.decode(pair.value, context) { values[pair.key] = value } else { valid = false }
                }
                return valid ? values : nil
            })
    }

    /// An object of `spec`, built from its reader by `build` (nil when a
    /// required piece is missing or invalid).
    static func object(_ spec: ObjectSpec, build: @escaping @Sendable (ObjectReader) -> Value?) -> ValueSpec<Value> {
        ValueSpec<Value>(
            typeName: "mapping ([`\(spec.path)`](#\(spec.id.lowercased())))",
            schema: { builder in builder.reference(to: spec) },
            objects: [spec],
            merge: .object(spec),
            decode: { node, context in
                guard let reader = ObjectReader(node, spec: spec, context: context) else { return nil }
                let value = build(reader)
                reader.validateUnread()
                return value
            })
    }
}

/// Rules for the names of hosts, services, labels, alerts and variables.
struct NameRule: Sendable {
    /// How docs and messages call such a name.
    let typeName: String
    /// The JSON Schema pattern, equivalent to `accepts`.
    let pattern: String
    let maximumLength: Int
    let accepts: @Sendable (Unicode.Scalar, _ isFirst: Bool) -> Bool
    let rule: String

    /// The problem with `name`, or nil when it is acceptable.
    func problem(_ name: String, what: String? = nil) -> ValueProblem? {
        let scalars = Array(name.unicodeScalars)
        let valid = !scalars.isEmpty && scalars.count <= maximumLength
            && scalars.enumerated().allSatisfy { accepts($0.element, $0.offset == 0) }
        guard !valid else { return nil }
        return ValueProblem(
            .invalidName, "`\(ConfigNode.abbreviated(name))` is not a valid \(what ?? typeName)",
            hint: "\(rule), at most \(maximumLength) characters")
    }

    /// As a string spec.
    var spec: ValueSpec<String> {
        let rule = self
        return ValueSpec<String>.string(typeName, pattern: pattern) { text throws(ValueProblem) in
            if let problem = rule.problem(text) { throw problem }
        }
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        isLowerAlphanumeric(scalar) || ("A"..."Z").contains(scalar)
    }

    /// Host and service names: `[a-z0-9][a-z0-9_.-]*`, safe in paths, unit names and shells.
    static let resource = NameRule(
        typeName: "name", pattern: "^[a-z0-9][a-z0-9_.-]{0,62}$", maximumLength: 63,
        accepts: { scalar, isFirst in
            isLowerAlphanumeric(scalar) || (!isFirst && ["_", ".", "-"].contains(scalar))
        },
        rule: "names use lowercase letters, digits, `_`, `.` and `-`, and start with a letter or digit")

    /// Label keys and values: `[A-Za-z0-9][A-Za-z0-9_.-]*`.
    static let label = NameRule(
        typeName: "label", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", maximumLength: 63,
        accepts: { scalar, isFirst in
            isAlphanumeric(scalar) || (!isFirst && ["_", ".", "-"].contains(scalar))
        },
        rule: "labels use letters, digits, `_`, `.` and `-`, and start with a letter or digit")

    /// Environment variable names: `[A-Za-z_][A-Za-z0-9_]*`.
    static let environmentVariable = NameRule(
        typeName: "environment variable name", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,127}$", maximumLength: 128,
        accepts: { scalar, isFirst in
            ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || scalar == "_" || (!isFirst && ("0"..."9").contains(scalar))
        },
        rule: "variable names use letters, digits and `_`, and do not start with a digit")

    /// Alert names, which become Prometheus `alertname` labels: `[A-Za-z_][A-Za-z0-9_]*`.
    static let alert = NameRule(
        typeName: "alert name", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,62}$", maximumLength: 63,
        accepts: { scalar, isFirst in
            ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || scalar == "_" || (!isFirst && ("0"..."9").contains(scalar))
        },
        rule: "alert names use letters, digits and `_`, and do not start with a digit")
}
