/// The `env` mapping: literal values, or secrets by reference. A literal
/// value under a name that looks like a secret (`API_TOKEN`, `DB_PASSWORD`)
/// is refused as an inline secret.
enum EnvironmentKeys {
    /// Words of a variable name (split at `_`) that mark it as a secret.
    static let secretWords: Set<String> = [
        "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "APIKEY", "PRIVATE", "CREDENTIAL", "CREDENTIALS", "AUTH",
    ]

    /// Whether `name` looks like it holds a secret: a secret word in it
    /// (`DB_PASSWORD`, `SSH_PRIVATE_KEY`), `API_KEY`, or a name ending in
    /// `TOKEN`, `SECRET` or `PASSWORD` (`GITHUBTOKEN`).
    static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        let words = upper.split(separator: "_").map(String.init)
        return words.contains(where: secretWords.contains) || upper.contains("API_KEY")
            || ["TOKEN", "SECRET", "PASSWORD"].contains(where: upper.hasSuffix)
    }

    /// One value: a string, or `{ from_env | from_file | from_age }`.
    static let entry: ValueSpec<EnvironmentValue> = {
        let literal = ValueSpec<String>.string("string", allowEmpty: true) { text throws(ValueProblem) in
            if text.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw ValueProblem(.invalidValue, "the value contains a NUL character")
            }
        }
        let secret = ValueSpec<SecretReference>.secretReference
        return ValueSpec<EnvironmentValue>(
            typeName: "string, or [secret reference](#secretreference)",
            schema: { builder in .object([("oneOf", .array([literal.schema(&builder), secret.schema(&builder)]))]) },
            objects: secret.objects,
            decode: { node, context in
                if node.pairs != nil { return secret.decode(node, context).map(EnvironmentValue.secret) }
                if case .integer? = node.scalarType { return .literal(node.scalarText ?? "") }
                if case .float? = node.scalarType { return .literal(node.scalarText ?? "") }
                if case .boolean? = node.scalarType { return .literal(node.scalarText ?? "") }
                return literal.decode(node, context).map(EnvironmentValue.literal)
            })
    }()

    static let value: ValueSpec<[String: EnvironmentValue]> = {
        var spec = ValueSpec<[String: EnvironmentValue]>.map(keys: .environmentVariable, entry, typeName: "mapping of variable name to value")
        let decode = spec.decode
        spec.decode = { node, context in
            guard let values = decode(node, context) else { return nil }
            var valid = true
            for pair in node.pairs ?? [] {
                guard case .literal(let text)? = values[pair.key], looksSecret(pair.key), !text.isEmpty else { continue }
                context.report(
                    .inlineSecret, "`\(pair.key)` looks like a secret but its value is written inline",
                    hint: "write `\(pair.key): { from_env: \(pair.key) }`, or use `from_file` or `from_age`", at: pair.value.location)
                valid = false
            }
            return valid ? values : nil
        }
        return spec
    }()
}
