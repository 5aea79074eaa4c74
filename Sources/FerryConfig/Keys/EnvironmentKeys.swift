/// The `env` mapping: literal values, or secrets by reference. A literal
/// value under a name that looks like a secret (`API_TOKEN`, `DB_PASSWORD`),
/// or holding a URL with a password in it, is refused as an inline secret.
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

    /// Whether `text` holds a URL whose user information carries a password
    /// (`postgres://app:s3cret@db/x`, `redis://:s3cret@cache`); a user alone
    /// (`postgres://app@db/x`) names no secret.
    static func containsURLPassword(_ text: String) -> Bool {
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            let authority = rest[scheme.upperBound...].prefix { !"/?#".contains($0) && !$0.isWhitespace }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":"),
                authority.index(after: colon) < at
            {
                return true
            }
            rest = rest[scheme.upperBound...]
        }
        return false
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
                guard case .literal(let text)? = values[pair.key], !text.isEmpty else { continue }
                let reference = "write `\(pair.key): { from_env: \(pair.key) }` or `{ from_file: /path }`"
                if looksSecret(pair.key) {
                    context.report(
                        .inlineSecret, "`\(pair.key)` looks like a secret but its value is written inline",
                        hint: reference, at: pair.value.location)
                } else if containsURLPassword(text) {
                    context.report(
                        .inlineSecret, "the value of `\(pair.key)` is a URL with a password in it",
                        hint: reference + ", holding the whole URL", at: pair.value.location)
                } else {
                    continue
                }
                valid = false
            }
            return valid ? values : nil
        }
        return spec
    }()
}
