import FerrySSH
import Foundation

/// Several scripts run one after another in one remote shell: one SSH channel and one
/// `/bin/sh` on the host for a whole phase of a deploy instead of one per step.
///
/// Each part runs in a subshell of its own, exactly as it would alone: its `exit` ends the
/// part, not the batch, and its variables and functions stay in it. The parts' inputs travel
/// one after another on standard input; each part reads exactly its own bytes (`head -c`),
/// and what it leaves unread is drained (by the shell's own `read`: a part that reads all its
/// input costs no extra process), so the next part starts at its own first byte. The last part
/// with input reads the rest of standard input directly. A part without input reads `/dev/null`.
///
/// Before each part the batch prints the line `::ferry-step <index>`; ``sections(_:count:)``
/// splits the output at those lines, so every part's output is read as if it had run alone.
/// The batch stops at the first part that fails, with that part's exit status (a part marked
/// ``Part/mayFail`` does not stop it), and at the first part marked ``Part/mayHalt`` that exits
/// with ``haltStatus``: it prints `::ferry-halt <index>` and exits 0, so the agent can decide
/// (a lock held by someone else) before anything later runs.
public struct ScriptBatch: Sendable, Equatable {
    /// One script of the batch.
    public struct Part: Sendable, Equatable {
        /// The script, with its own input.
        public var script: RemoteScript
        /// Whether exiting with ``ScriptBatch/haltStatus`` stops the batch without failing it.
        public var mayHalt: Bool
        /// Whether a failure of this part is ignored and the batch goes on.
        public var mayFail: Bool

        /// A part running `script`.
        public init(_ script: RemoteScript, mayHalt: Bool = false, mayFail: Bool = false) {
            self.script = script
            self.mayHalt = mayHalt
            self.mayFail = mayFail
        }
    }

    /// The exit status with which a part marked ``Part/mayHalt`` stops the batch (EX_TEMPFAIL).
    public static let haltStatus: Int32 = 75

    /// The parts, in the order they run.
    public var parts: [Part]

    /// A batch of `parts`.
    public init(_ parts: [Part]) {
        self.parts = parts
    }

    /// The batch as one script: every part's text as a quoted word, every input concatenated.
    public var script: RemoteScript {
        var text = RemoteShell.prologue + Self.runner
        var input = Data()
        let lastInput = parts.lastIndex { $0.script.input != nil }
        for (index, part) in parts.enumerated() {
            let length = index == lastInput ? "=" : part.script.input.map { String($0.count) } ?? "-"
            let mode = part.mayHalt ? "halt" : part.mayFail ? "optional" : "required"
            text += "ferry_part \(index) \(length) \(mode) \(ShellQuote.quote(part.script.text))\n"
            if let data = part.script.input { input.append(data) }
        }
        return RemoteScript(text: text, input: parts.contains { $0.script.input != nil } ? input : nil)
    }

    /// What the batch's output says: each part's output, in order, for the parts that ran, and
    /// the part that halted it, if one did. The last part that ran is the one that failed when
    /// the batch exited with a failure.
    public struct Sections: Sendable, Equatable {
        /// The output of every part that ran, in order.
        public var outputs: [Data]
        /// The index of the part that halted the batch.
        public var halted: Int?

        /// The index of the last part that ran, nil when none did.
        public var lastStarted: Int? { outputs.isEmpty ? nil : outputs.count - 1 }
    }

    /// Splits `output` (the batch's standard output) at the batch's own marker lines.
    /// Markers for a part index at or beyond `count` are taken as a part's output.
    public static func sections(_ output: Data, count: Int) -> Sections {
        var sections = Sections(outputs: [], halted: nil)
        let bytes = [UInt8](output)
        var lineStart = 0
        var sectionStart = 0
        func close(at end: Int) {
            if !sections.outputs.isEmpty { sections.outputs[sections.outputs.count - 1] = Data(bytes[sectionStart..<end]) }
        }
        while lineStart < bytes.count {
            let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let line = String(decoding: bytes[lineStart..<newline], as: UTF8.self)
            let next = min(newline + 1, bytes.count)
            if let index = Self.marker(line, "::ferry-step "), index == sections.outputs.count, index < count {
                close(at: lineStart)
                sections.outputs.append(Data())
                sectionStart = next
            } else if let index = Self.marker(line, "::ferry-halt "), index == sections.outputs.count - 1, sections.halted == nil {
                close(at: lineStart)
                sections.halted = index
                sectionStart = bytes.count
                break
            }
            lineStart = next
        }
        if sections.halted == nil { close(at: bytes.count) }
        return sections
    }

    private static func marker(_ line: String, _ prefix: String) -> Int? {
        line.hasPrefix(prefix) ? Int(line.dropFirst(prefix.count)) : nil
    }

    /// `ferry_part INDEX LENGTH MODE TEXT`: prints the part's marker, runs TEXT in a subshell with
    /// positional parameters cleared, on exactly LENGTH bytes of standard input (`-`: none; `=`:
    /// the rest of it, for the last part with input, which then costs no `head`), and stops the
    /// batch as MODE says (`required`, `optional`, `halt`).
    private static let runner = #"""
    ferry_part() {
      ferry_part_text=$4
      printf '::ferry-step %s\n' "$1"
      [ -n "$4" ] || return 0
      if [ "$2" = - ]; then
        ( set --; eval "$ferry_part_text" ) </dev/null
      elif [ "$2" = = ]; then
        ( set --; eval "$ferry_part_text" )
      else
        head -c "$2" | {
          ( set --; eval "$ferry_part_text" )
          ferry_part_status=$?
          while read -r ferry_part_rest; do :; done
          exit "$ferry_part_status"
        }
      fi
      ferry_part_status=$?
      [ "$ferry_part_status" -ne 0 ] || return 0
      case $3 in
        optional) return 0 ;;
        halt) if [ "$ferry_part_status" -eq 75 ]; then printf '::ferry-halt %s\n' "$1"; exit 0; fi ;;
      esac
      exit "$ferry_part_status"
    }

    """#
}
