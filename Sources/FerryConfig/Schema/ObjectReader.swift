/// Reads the keys of one YAML mapping against its `ObjectSpec`. Creating it
/// reports unknown keys (with a "did you mean" hint), keys this version does
/// not support, and conflicting keys; reading a key reports missing and
/// invalid values.
struct ObjectReader {
    let spec: ObjectSpec
    let node: ConfigNode
    let context: DecodingContext
    private let entries: [String: ConfigNode.Pair]
    private let misspelled: Set<String>
    private let tracker = ReadTracker()

    /// A reader for `node`, or nil (with a problem reported) when it is not a mapping.
    init?(_ node: ConfigNode, spec: ObjectSpec, context: DecodingContext) {
        guard let pairs = node.pairs else {
            context.wrongType(node, expected: "a mapping (\(spec.noun))")
            return nil
        }
        self.spec = spec
        self.node = node
        self.context = context
        var entries: [String: ConfigNode.Pair] = [:]
        var misspelled = Set<String>()
        for pair in pairs {
            guard let key = spec.key(pair.key) else {
                let suggestion = Suggestion.closest(to: pair.key, among: spec.keys.map(\.name))
                if let suggestion { misspelled.insert(suggestion) }
                context.report(
                    .unknownKey, "unknown key `\(pair.key)` in \(spec.noun)",
                    hint: suggestion.map { "did you mean `\($0)`?" }
                        ?? "known keys: \(spec.keys.map(\.name).joined(separator: ", "))",
                    at: pair.keyLocation)
                continue
            }
            if let refusal = key.status.diagnostic(for: "`\(pair.key)`", at: pair.keyLocation) { context.report(refusal) }
            entries[pair.key] = pair
        }
        self.entries = entries
        self.misspelled = misspelled
        checkExclusiveGroups()
    }

    /// Whether the key is written in the mapping.
    func has(_ name: String) -> Bool { entries[name] != nil }

    /// Whether an unknown key of the mapping looks like a typo of `name`:
    /// its absence is then not reported again, the typo says it all.
    func isMisspelled(_ name: String) -> Bool { misspelled.contains(name) }

    /// The value node of a key written in the mapping.
    func valueNode(_ name: String) -> ConfigNode? { entries[name]?.value }

    /// Where the key itself is written.
    func keyLocation(_ name: String) -> SourceLocation? { entries[name]?.keyLocation }

    /// The key's value; nil when it is absent (reporting required keys), or
    /// invalid (reported). Defaulted keys yield their default when absent.
    func read<V>(_ key: KeySpec<V>) -> V? {
        assert(spec.key(key.name) != nil, "`\(key.name)` is read but not listed in the spec of \(spec.id)")
        tracker.read.insert(key.name)
        guard let pair = entries[key.name] else {
            if key.isRequired && !context.relaxRequired && !misspelled.contains(key.name) {
                context.report(
                    .missingKey, "\(spec.noun) is missing the required key `\(key.name)`",
                    hint: "`\(key.name)`: \(Self.firstSentence(of: key.doc))", at: node.location)
            }
            return key.defaultValue
        }
        return key.value.decode(pair.value, context)
    }

    /// A defaulted key's value: the default when absent or invalid (reported).
    func value<V>(_ key: KeySpec<V>) -> V {
        guard let fallback = key.defaultValue else {
            preconditionFailure("`\(key.name)` has no default; read it with read(_:)")
        }
        return read(key) ?? fallback
    }

    /// Decodes the keys present but not read by the builder, so that their
    /// problems are reported even when the builder gave up early.
    func validateUnread() {
        for key in spec.keys where !tracker.read.contains(key.name) {
            if let pair = entries[key.name] { key.validate(pair.value, context) }
        }
    }

    private static func firstSentence(of text: String) -> String {
        let sentence = text.prefix { $0 != "." }
        return sentence.prefix(1).lowercased() + sentence.dropFirst()
    }

    private func checkExclusiveGroups() {
        for group in spec.exclusiveGroups {
            let present = group.keys.filter { entries[$0] != nil }
            if present.count > 1, let second = entries[present[1]] {
                context.report(
                    .conflictingKeys,
                    "\(spec.noun) sets both `\(present[0])` and `\(present[1])`; they exclude each other",
                    hint: "keep one of \(group.keys.map { "`\($0)`" }.joined(separator: ", "))",
                    at: second.keyLocation)
            } else if present.isEmpty, group.isRequired, !context.relaxRequired {
                context.report(
                    .missingKey,
                    "\(spec.noun) needs one of \(group.keys.map { "`\($0)`" }.joined(separator: ", "))",
                    at: node.location)
            }
        }
    }
}

/// The keys a reader has read (a reference, so that copies of the reader share it).
private final class ReadTracker {
    var read = Set<String>()
}
