import Foundation

/// Value specs of Ferry's own vocabulary: paths, commands, URLs, secrets.
extension ValueSpec where Value == String {
    /// A command for `sh -c` on a host: one line without control characters,
    /// because it is passed as a single quoted word and written into unit files.
    static var command: ValueSpec<String> {
        .string("command", pattern: "^[^\\u0000-\\u0008\\u000a-\\u001f\\u007f]{1,4096}$") { text throws(ValueProblem) in
            if let bad = text.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7f }) {
                let what = bad == "\n" || bad == "\r" ? "a line break" : "the control character U+\(String(bad.value, radix: 16, uppercase: true))"
                throw ValueProblem(
                    .unsafeCommand, "the command contains \(what); commands are passed to `sh -c` as one line",
                    hint: "put multi-line logic in a script in the repository and run that script")
            }
            if text.unicodeScalars.count > 4096 {
                throw ValueProblem(.unsafeCommand, "the command is longer than 4096 characters", hint: "move it into a script")
            }
        }
    }

    /// A path on the agent's machine: absolute, or starting with `~/`.
    static var agentPath: ValueSpec<String> {
        .string("path", pattern: "^(/|~/)") { text throws(ValueProblem) in
            try checkPathCharacters(text)
            guard text.hasPrefix("/") || text.hasPrefix("~/") else {
                throw ValueProblem(.invalidValue, "`\(text)` must be absolute or start with `~/`")
            }
        }
    }

    /// An HTTP path such as `/health`.
    static var httpPath: ValueSpec<String> {
        .string("HTTP path", pattern: "^/[^\\s]*$") { text throws(ValueProblem) in
            guard text.hasPrefix("/"), !text.contains(where: \.isWhitespace) else {
                throw ValueProblem(.invalidValue, "`\(text)` is not an HTTP path", hint: "start it with `/`, as in `/health`")
            }
        }
    }

    /// An `http://` or `https://` URL without credentials in it. Whether
    /// plaintext is allowed depends on the security policy, checked later.
    static var url: ValueSpec<String> {
        .string("URL", pattern: "^https?://") { text throws(ValueProblem) in
            _ = try HTTPURL(text)
        }
    }

    /// A file of the config repository, relative to its root, that stays inside it.
    static var repositoryPath: ValueSpec<String> {
        .string("repository path", pattern: "^[^/]") { text throws(ValueProblem) in
            try checkPathCharacters(text)
            if text.hasPrefix("/") || text.split(separator: "/").contains("..") {
                throw ValueProblem(
                    .unsafeSourcePattern, "`\(text)` leaves the repository",
                    hint: "write the path relative to the repository root, without `..`")
            }
        }
    }

    /// A value in a SOPS file of the config repository: `secrets/app.yaml#db_password`, the
    /// key path after `#` with `.` between nested keys (`#database.password`).
    static var sopsValue: ValueSpec<String> {
        .string("repository path#key.path", pattern: "^[^/#][^#]*#[^#.]+(\\.[^#.]+)*$") { text throws(ValueProblem) in
            let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let hint = "write the file relative to the repository root, `#`, and the key, as in `secrets/app.yaml#db_password`"
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                  !parts[1].split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                throw ValueProblem(.invalidValue, "`\(text)` does not name a file and a key", hint: hint)
            }
            try checkPathCharacters(String(parts[0]))
            if parts[0].hasPrefix("/") || parts[0].split(separator: "/").contains("..") {
                throw ValueProblem(.unsafeSourcePattern, "`\(parts[0])` leaves the repository", hint: hint)
            }
        }
    }

    /// A health-check URL: a `url` in which `{address}` stands for each host's address.
    static var healthURL: ValueSpec<String> {
        .string("URL", pattern: "^https?://") { text throws(ValueProblem) in
            _ = try HTTPURL(text.replacingOccurrences(of: HealthCheckKeys.addressPlaceholder, with: "host.invalid"))
        }
    }

    /// A host name or IP address that cannot be mistaken for an option.
    static var hostAddress: ValueSpec<String> {
        .string("host name or IP address", pattern: "^[A-Za-z0-9:\\[][A-Za-z0-9.:%\\[\\]-]*$") { text throws(ValueProblem) in
            let allowed = text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || [".", "-", ":", "[", "]", "%"].contains($0)
            }
            guard allowed, text.first != "-", text.first != ".", text.unicodeScalars.count <= 253 else {
                throw ValueProblem(
                    .invalidValue, "`\(ConfigNode.abbreviated(text))` is not a host name or IP address",
                    hint: "use letters, digits, `.`, `-` (not first) or an IP address")
            }
        }
    }

    /// A POSIX user name.
    static var userName: ValueSpec<String> {
        .string("user name", pattern: "^[a-z_][a-z0-9_-]{0,31}$") { text throws(ValueProblem) in
            let scalars = Array(text.unicodeScalars)
            let valid = scalars.count <= 32 && scalars.enumerated().allSatisfy { index, scalar in
                ("a"..."z").contains(scalar) || scalar == "_" || (index > 0 && (("0"..."9").contains(scalar) || scalar == "-"))
            }
            guard valid else {
                throw ValueProblem(
                    .invalidValue, "`\(ConfigNode.abbreviated(text))` is not a valid user name",
                    hint: "lowercase letters, digits, `_` and `-`, starting with a letter or `_`")
            }
        }
    }

    private static func checkPathCharacters(_ text: String) throws(ValueProblem) {
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw ValueProblem(.invalidValue, "the path contains a control character or line break")
        }
    }
}

/// An `http` or `https` URL taken apart, for the plaintext rules.
struct HTTPURL {
    let isPlaintext: Bool
    let host: String

    init(_ text: String) throws(ValueProblem) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw ValueProblem(
                .invalidValue, "`\(ConfigNode.abbreviated(text))` is not an http:// or https:// URL",
                hint: "write it as https://host/path")
        }
        if components.user != nil || components.password != nil {
            throw ValueProblem(
                .inlineSecret, "the URL carries credentials inline",
                hint: "remove the user and password; pass credentials by reference (`from_env`, `from_file`)")
        }
        self.isPlaintext = scheme == "http"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
    }
}

extension ValueSpec where Value == GlobPattern {
    /// A `sources` or `include` pattern, relative to the repository root.
    static var glob: ValueSpec<GlobPattern> {
        ValueSpec<String>.string("glob pattern", pattern: "^[^/]").refined { text, _ throws(ValueProblem) in
            do throws(GlobPattern.ParseError) {
                return try GlobPattern(text)
            } catch {
                let kind: ConfigDiagnostic.Kind = [GlobPattern.ParseError.Kind.absolute, .parentSegment].contains(error.kind) ? .unsafeSourcePattern : .invalidValue
                throw ValueProblem(kind, error.message, hint: kind == .unsafeSourcePattern ? "sources cannot leave the repository" : nil)
            }
        }
    }
}

extension ValueSpec where Value == IPAddressRange {
    /// A CIDR block such as `10.0.0.0/8`.
    static var addressRange: ValueSpec<IPAddressRange> {
        ValueSpec<String>.string("CIDR block").refined { text, _ throws(ValueProblem) in
            guard let range = IPAddressRange(text) else {
                throw ValueProblem(.invalidValue, "`\(ConfigNode.abbreviated(text))` is not a CIDR block", hint: "write it like 10.0.0.0/8 or fd00::/8")
            }
            return range
        }
    }
}

extension ValueSpec where Value == PinnedHostKey {
    /// A public key line as in known_hosts: `ssh-ed25519 AAAA…`.
    static var hostKey: ValueSpec<PinnedHostKey> {
        ValueSpec<String>.string("public key", pattern: "^[a-z0-9@.-]+ [A-Za-z0-9+/]+={0,2}$").refined { text, _ throws(ValueProblem) in
            let parts = text.split(separator: " ")
            let algorithms = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]
            guard parts.count == 2, algorithms.contains(String(parts[0])),
                Data(base64Encoded: String(parts[1])) != nil
            else {
                throw ValueProblem(
                    .invalidValue, "`\(ConfigNode.abbreviated(text))` is not a public key",
                    hint: "copy the line from `ssh-keyscan`, without the host name: `ssh-ed25519 AAAA…`")
            }
            return PinnedHostKey(algorithm: String(parts[0]), base64: String(parts[1]))
        }
    }
}

extension ValueSpec where Value == BatchSize {
    /// A host count (`2`) or a percentage of the hosts (`25%`).
    static var batchSize: ValueSpec<BatchSize> {
        ValueSpec<BatchSize>(
            typeName: "integer ≥ 1, or percentage (`25%`)",
            schema: { _ in
                .object([("oneOf", .array([
                    .object([("type", .string("integer")), ("minimum", .int(1))]),
                    .object([("type", .string("string")), ("pattern", .string("^([1-9][0-9]?|100)%$"))]),
                ]))])
            },
            decode: { node, context in
                switch node.scalarType {
                case .integer(let count)?:
                    guard count >= 1 else {
                        context.report(.outOfRange, "\(count) is out of range: a batch has at least 1 host", at: node.location)
                        return nil
                    }
                    return .hosts(count)
                case .string(let text)? where text.hasSuffix("%"):
                    guard let percent = Int(text.dropLast()), (1...100).contains(percent) else {
                        context.report(.outOfRange, "`\(text)` is out of range: expected 1% to 100%", at: node.location)
                        return nil
                    }
                    return .percent(percent)
                default:
                    context.wrongType(node, expected: "a host count or a percentage such as `25%`")
                    return nil
                }
            })
    }
}

extension ValueSpec where Value == FailureCondition {
    /// A failure name (`timeout`) or an HTTP status code (`503`).
    static var failureCondition: ValueSpec<FailureCondition> {
        let names = FailureCondition.named.map(\.name)
        return ValueSpec<FailureCondition>(
            typeName: "failure name or HTTP status",
            schema: { _ in
                .object([("oneOf", .array([
                    .object([("enum", .array(names.map(JSONValue.string)))]),
                    .object([("type", .string("integer")), ("minimum", .int(100)), ("maximum", .int(599))]),
                ]))])
            },
            decode: { node, context in
                if case .integer(let code)? = node.scalarType {
                    guard (100...599).contains(code) else {
                        context.report(.outOfRange, "\(code) is not an HTTP status code (100 to 599)", at: node.location)
                        return nil
                    }
                    return .httpStatus(code)
                }
                guard let text = node.string else {
                    context.wrongType(node, expected: "a failure name or an HTTP status code")
                    return nil
                }
                guard let condition = FailureCondition.named.first(where: { $0.name == text })?.condition else {
                    context.report(
                        .invalidValue, "`\(ConfigNode.abbreviated(text))` is not a failure Ferry knows",
                        hint: Suggestion.hint(for: text, among: names) ?? "known: \(names.joined(separator: ", ")), or an HTTP status",
                        at: node.location)
                    return nil
                }
                return condition
            })
    }
}

extension ValueSpec where Value == LogOutput {
    /// `stdout`, `stderr`, `journal` or an absolute file path.
    static var logOutput: ValueSpec<LogOutput> {
        ValueSpec<String>.string("`stdout` | `stderr` | `journal` | absolute path", pattern: "^(stdout|stderr|journal|/.*)$")
            .refined { text, _ throws(ValueProblem) in
                switch text {
                case "stdout": return .stdout
                case "stderr": return .stderr
                case "journal": return .journal
                default:
                    guard text.hasPrefix("/"), !text.split(separator: "/").contains("..") else {
                        throw ValueProblem(
                            .invalidValue, "`\(ConfigNode.abbreviated(text))` is not a log output",
                            hint: Suggestion.hint(for: text, among: ["stdout", "stderr", "journal"]) ?? "use stdout, stderr, journal or an absolute path")
                    }
                    return .file(text)
                }
            }
    }
}

extension ValueSpec where Value == TLSVersion {
    /// `1.2` or `1.3`, quoted or not.
    static var tlsVersion: ValueSpec<TLSVersion> {
        let names = TLSVersion.allCases.map(\.rawValue)
        return ValueSpec<TLSVersion>(
            typeName: names.map { "`\($0)`" }.joined(separator: " | "),
            schema: { _ in .object([("enum", .array(names.map(JSONValue.string) + names.compactMap(Double.init).map(JSONValue.double)))]) },
            decode: { node, context in
                guard let text = node.scalarText, let version = TLSVersion(rawValue: text), node.items == nil else {
                    context.report(.invalidValue, "expected a TLS version (\(names.joined(separator: " or "))), found \(node.kindDescription)", at: node.location)
                    return nil
                }
                return version
            })
    }
}

extension ValueSpec where Value == SecretReference {
    /// `{ from_env: NAME }`, `{ from_file: /path }`, `{ from_age: repo/path.age }` or
    /// `{ from_sops: repo/file.yaml#key.path }`;
    /// a plain string in its place is an inline secret and refused.
    static var secretReference: ValueSpec<SecretReference> {
        let object = ValueSpec.object(SecretKeys.spec) { reader in
            if let name = reader.read(SecretKeys.fromEnvironment) { return .environment(name) }
            if let path = reader.read(SecretKeys.fromFile) { return .file(path) }
            if let path = reader.read(SecretKeys.fromAge) { return .age(path) }
            if let value = reader.read(SecretKeys.fromSops) {
                let parts = value.split(separator: "#", maxSplits: 1)
                return .sops(file: String(parts[0]), key: String(parts[1]))
            }
            return nil
        }
        var spec = object
        spec.typeName = "secret reference ([from_env / from_file / from_age / from_sops](#secretreference))"
        spec.decode = { node, context in
            if node.pairs == nil, node.string != nil {
                context.report(
                    .inlineSecret, "a secret is written inline; Ferry's files hold references only",
                    hint: "write `{ from_env: VARIABLE }` or `{ from_file: /path }`",
                    at: node.location)
                return nil
            }
            return object.decode(node, context)
        }
        return spec
    }
}

/// The keys of a secret reference.
enum SecretKeys {
    static let fromEnvironment = KeySpec<String>.optional(
        "from_env", NameRule.environmentVariable.spec,
        doc: "An environment variable of the agent holding the secret.")
    static let fromFile = KeySpec<String>.optional(
        "from_file", .agentPath, doc: "A file on the agent's machine holding the secret.")
    static let fromAge = KeySpec<String>.optional(
        "from_age", .repositoryPath,
        doc: "An age-encrypted file in the config repository (armored or binary), decrypted with the agent's age identity.")
    static let fromSops = KeySpec<String>.optional(
        "from_sops", .sopsValue,
        doc: "A value of a SOPS-encrypted YAML, JSON or dotenv file in the config repository (age recipients), "
            + "`file#key.path`; the file's MAC is checked.")

    static let spec = ObjectSpec(
        id: "SecretReference", path: "secret", noun: "secret reference",
        doc: "Where a secret comes from; exactly one of the keys. Secrets are never written in the config itself.",
        keys: [fromEnvironment.info, fromFile.info, fromAge.info, fromSops.info],
        exclusive: [ExclusiveGroup(keys: ["from_env", "from_file", "from_age", "from_sops"], isRequired: true)],
        example: "API_TOKEN: { from_env: ML_API_TOKEN }")
}
