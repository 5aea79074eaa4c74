/// A YAML value with the place it was written, as Ferry reads it: aliases
/// expanded, merge keys (`<<`) applied, every mapping key a scalar.
struct ConfigNode: Sendable, Equatable {
    /// A scalar's text and whether it was written plain (unquoted, untagged), in
    /// which case it may denote null, a boolean or a number (YAML 1.2 core schema).
    struct Scalar: Sendable, Equatable {
        var text: String
        var isPlain: Bool
    }

    /// A mapping entry.
    struct Pair: Sendable, Equatable {
        var key: String
        var keyLocation: SourceLocation
        var value: ConfigNode
    }

    /// The value itself.
    enum Content: Sendable, Equatable {
        case scalar(Scalar)
        case sequence([ConfigNode])
        case mapping([Pair])
    }

    var content: Content
    var location: SourceLocation

    /// What a scalar denotes under the YAML 1.2 core schema.
    enum ScalarType: Equatable {
        case null
        case boolean(Bool)
        case integer(Int)
        case float(Double)
        case string(String)
    }

    /// The type of a scalar node; nil for collections.
    var scalarType: ScalarType? {
        guard case .scalar(let scalar) = content else { return nil }
        return Self.resolve(scalar)
    }

    /// The node's text when it is a string scalar (quoted, or plain and not a
    /// null, boolean or number).
    var string: String? {
        if case .string(let text)? = scalarType { return text }
        return nil
    }

    /// The text of any scalar, whatever it denotes.
    var scalarText: String? {
        if case .scalar(let scalar) = content { return scalar.text }
        return nil
    }

    /// The entries of a mapping node.
    var pairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The items of a sequence node.
    var items: [ConfigNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// How the node is described in "expected …, found …" messages.
    var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            switch Self.resolve(scalar) {
            case .null: return "nothing (null)"
            case .boolean(let value): return "the boolean `\(value)`"
            case .integer, .float: return "the number `\(scalar.text)`"
            case .string(let text): return "the string `\(Self.abbreviated(text))`"
            }
        }
    }

    /// `text` cut to a length that fits in a message.
    static func abbreviated(_ text: String) -> String {
        let line = text.prefix { $0 != "\n" }
        return line.count > 60 || line.count < text.count ? line.prefix(60) + "…" : String(line)
    }

    static func resolve(_ scalar: Scalar) -> ScalarType {
        guard scalar.isPlain else { return .string(scalar.text) }
        let text = scalar.text
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .boolean(true)
        case "false", "False", "FALSE": return .boolean(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let integer = integer(text) { return .integer(integer) }
        if isFloat(text), let value = Double(text) { return .float(value) }
        return .string(text)
    }

    private static func integer(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        let body = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func isFloat(_ text: String) -> Bool {
        var characters = Substring(text)
        if characters.first == "-" || characters.first == "+" { characters = characters.dropFirst() }
        let mantissa = characters.prefix { $0 != "e" && $0 != "E" }
        let exponent = characters.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts.contains(where: { !$0.isEmpty })
        else { return false }
        if exponent.isEmpty { return true }
        var digits = exponent.dropFirst()
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
