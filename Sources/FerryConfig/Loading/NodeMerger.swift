/// Combines a node from `defaults` with a service's (or `defaults.ssh` with a
/// host's): the own keys win; sections are combined key by key, recursively;
/// name mappings (`env`) entry by entry; lists and scalars are replaced.
/// Keys of an exclusive group set by the own node drop the inherited ones
/// (a service's `health_check.command` replaces an inherited `http`).
enum NodeMerger {
    static func merge(base: ConfigNode?, override: ConfigNode, spec: ObjectSpec) -> ConfigNode {
        guard let base, let basePairs = base.pairs, let ownPairs = override.pairs else { return override }
        let ownKeys = Set(ownPairs.map(\.key))
        let dropped = Set(spec.exclusiveGroups.filter { !ownKeys.isDisjoint(with: $0.keys) }.flatMap(\.keys))
        var pairs: [ConfigNode.Pair] = []
        for var pair in ownPairs {
            if let inherited = basePairs.first(where: { $0.key == pair.key }), let key = spec.key(pair.key) {
                switch key.merge {
                case .object(let nested):
                    pair.value = merge(base: inherited.value, override: pair.value, spec: nested)
                case .entries:
                    pair.value = mergeEntries(base: inherited.value, override: pair.value)
                case .replace:
                    break
                }
            }
            pairs.append(pair)
        }
        pairs += basePairs.filter { !ownKeys.contains($0.key) && !dropped.contains($0.key) }
        return ConfigNode(content: .mapping(pairs), location: override.location)
    }

    private static func mergeEntries(base: ConfigNode, override: ConfigNode) -> ConfigNode {
        guard let basePairs = base.pairs, let ownPairs = override.pairs else { return override }
        let ownKeys = Set(ownPairs.map(\.key))
        return ConfigNode(content: .mapping(ownPairs + basePairs.filter { !ownKeys.contains($0.key) }), location: override.location)
    }
}
