/// Finds mapping keys that are not plain values — explicit `?` keys, lists or
/// mappings used as keys, aliases used as keys — before Yams composes the
/// document. Yams hashes every mapping key while composing, and a key that is
/// an alias to an alias bomb would be hashed in exponential time; Ferry's keys
/// are all names, so such keys are refused up front.
///
/// This is a light tokenizer (quotes, comments, block scalars, flow
/// collections): it may flag an odd plain scalar, never miss a complex key
/// that libyaml would accept, because libyaml requires an implicit key to sit
/// on one line before its `:`.
enum ComplexKeyScanner {
    /// A complex key: where it starts and what it is.
    struct Finding: Equatable {
        var line: Int
        var column: Int
        var what: String
    }

    private struct State {
        var quote: Unicode.Scalar?
        var flowDepth = 0
        var blockScalarParentIndent: Int?
    }

    /// The first complex key in `text`, or nil when every key is a plain value.
    static func firstComplexKey(in text: String) -> Finding? {
        var state = State()
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Array(rawLine.unicodeScalars.filter { $0 != "\r" })
            if let finding = scan(line, number: lineNumber, state: &state) { return finding }
        }
        return nil
    }

    private static func isBlank(_ scalar: Unicode.Scalar?) -> Bool {
        scalar == nil || scalar == " " || scalar == "\t"
    }

    private static func isAnchorCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    // One line; returns a finding or updates the state carried to the next line.
    private static func scan(_ line: [Unicode.Scalar], number: Int, state: inout State) -> Finding? {
        let indent = line.prefix { $0 == " " }.count
        if let parent = state.blockScalarParentIndent {
            let blank = line.allSatisfy { $0 == " " || $0 == "\t" }
            if blank || indent > parent { return nil }
            state.blockScalarParentIndent = nil
        }
        var index = 0
        var atNodeStart = true
        var inPlain = false
        var keyColumn = indent
        var entryColumn: Int?
        func at(_ offset: Int) -> Unicode.Scalar? {
            index + offset < line.count ? line[index + offset] : nil
        }
        while index < line.count {
            let character = line[index]
            if let quote = state.quote {
                if quote == "\"", character == "\\" {
                    index += 2
                    continue
                }
                if character == quote {
                    if quote == "'", at(1) == "'" {
                        index += 2
                        continue
                    }
                    state.quote = nil
                }
                index += 1
                continue
            }
            if character == " " || character == "\t" {
                index += 1
                continue
            }
            if character == "#", index == 0 || isBlank(line[index - 1]) { return nil }
            if character == ":", isBlank(at(1)) || (state.flowDepth > 0 && [",", "]", "}"].contains(at(1))) {
                inPlain = false
                atNodeStart = true
                index += 1
                continue
            }
            if inPlain {
                if state.flowDepth > 0, [",", "]", "}"].contains(character) {
                    inPlain = false
                } else {
                    index += 1
                    continue
                }
            }
            if atNodeStart {
                switch character {
                case "?" where isBlank(at(1)):
                    return Finding(line: number, column: index + 1, what: "an explicit `?` key")
                case "-" where isBlank(at(1)) && state.flowDepth == 0:
                    entryColumn = index
                    index += 1
                    continue
                case "*":
                    let start = index
                    index += 1
                    while index < line.count, isAnchorCharacter(line[index]) { index += 1 }
                    while index < line.count, isBlank(line[index]) { index += 1 }
                    if index < line.count, line[index] == ":", isBlank(at(1)) || state.flowDepth > 0 {
                        return Finding(line: number, column: start + 1, what: "an alias used as a key")
                    }
                    atNodeStart = false
                    continue
                case "&", "!":
                    while index < line.count, !isBlank(line[index]) { index += 1 }
                    continue
                case "'", "\"":
                    keyColumn = index
                    state.quote = character
                    atNodeStart = false
                    index += 1
                    continue
                case "[", "{":
                    state.flowDepth += 1
                    index += 1
                    continue
                case "|" where state.flowDepth == 0, ">" where state.flowDepth == 0:
                    state.blockScalarParentIndent = entryColumn.map { max($0, keyColumn) } ?? keyColumn
                    return nil
                default: break
                }
            }
            switch character {
            case "]" where state.flowDepth > 0, "}" where state.flowDepth > 0:
                state.flowDepth -= 1
                var next = index + 1
                while next < line.count, isBlank(line[next]) { next += 1 }
                if next < line.count, line[next] == ":",
                    next + 1 >= line.count || isBlank(line[next + 1]) || [",", "]", "}"].contains(line[next + 1])
                {
                    return Finding(line: number, column: next + 1, what: "a list or mapping used as a key")
                }
                atNodeStart = false
                index += 1
            case "," where state.flowDepth > 0:
                atNodeStart = true
                index += 1
            default:
                if atNodeStart { keyColumn = index }
                inPlain = true
                atNodeStart = false
                index += 1
            }
        }
        return nil
    }
}
