import FerryGit
import FerrySSH
import Foundation

/// What a deploy is in the middle of on a host, in `.ferry/journal`: written before the first
/// step that changes what runs (stop, switch) and removed once the new release is confirmed
/// healthy or the old one is back. A journal found by a later run means the deploy was
/// interrupted: the reconcile finishes it or undoes it before it plans anything else.
public struct DeployJournal: Sendable, Equatable {
    /// How far the deploy got.
    public enum Phase: String, Sendable, Equatable {
        /// The old release may be stopped; `current` may not have moved yet.
        case stopping
        /// `current` points at the new release, which is not yet confirmed healthy.
        case switched
        /// The new release failed its health check; the old one is being restored.
        case rollingBack = "rolling_back"
    }

    /// How far the deploy got.
    public var phase: Phase
    /// The release that ran before, nil for a first deploy.
    public var from: ReleaseName?
    /// The release being deployed.
    public var to: ReleaseName
    /// The commit being deployed (40 hex digits).
    public var revision: String
    /// The run that wrote it.
    public var runID: String

    /// A journal entry.
    public init(phase: Phase, from: ReleaseName?, to: ReleaseName, revision: String, runID: String) {
        self.phase = phase
        self.from = from
        self.to = to
        self.revision = revision
        self.runID = runID
    }

    /// One line for people: `switched rel-a → rel-b (run …)`.
    public var description: String {
        "\(phase.rawValue.replacingOccurrences(of: "_", with: " ")) \(from?.rawValue ?? "nothing") → \(to.rawValue)"
    }

    /// The file's text: `key=value` lines.
    var text: String {
        ["phase=\(phase.rawValue)", "from=\(from?.rawValue ?? "")", "to=\(to.rawValue)", "revision=\(revision)", "run=\(runID)"]
            .joined(separator: "\n") + "\n"
    }

    /// Writes the journal atomically (temporary file, then rename). Its text (releases, commit,
    /// run id: nothing secret) is part of the script, written by the shell's own `printf`.
    func writeScript(layout: RemoteLayout) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + #"""
        f=\#(ShellQuote.quote(layout.stateDirectory))
        [ -d "$f" ] || mkdir -p -m 0700 -- "$f" || ferry_fail "cannot create $f"
        printf '%s' \#(ShellQuote.quote(text)) > "$f/.journal.$$" && mv -f -T -- "$f/.journal.$$" "$f/journal" || { rm -f -- "$f/.journal.$$"; ferry_fail "cannot write $f/journal"; }
        printf 'journal %s\n' "$f/journal"

        """#)
    }

    /// Removes the journal: the deploy is over.
    static func clearScript(layout: RemoteLayout) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + "rm -f -- \(ShellQuote.quote(layout.stateDirectory + "/journal"))\n")
    }

    /// The journal `data` holds; nil when it is not one Ferry wrote (its revision not a commit id included).
    public static func parse(_ data: Data) -> DeployJournal? {
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let phase = values["phase"].flatMap(Phase.init(rawValue:)), let to = values["to"].flatMap(ReleaseName.init(rawValue:)),
              let revision = values["revision"], CommitID(revision) != nil else { return nil }
        return DeployJournal(phase: phase, from: values["from"].flatMap(ReleaseName.init(rawValue:)), to: to, revision: revision,
                             runID: values["run"] ?? "")
    }
}
