import ArgumentParser
import FerryGit
import Foundation

/// `ferry diff FROM TO`: the paths that changed between two commits, as Ferry sees them.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "List the paths that changed between two commits of a repository.",
        discussion: """
            Prints one changed path per line, like `git diff --name-status`: \
            A (added), M (modified), D (deleted), R (renamed, `old -> new`). \
            FROM and TO are any revisions: branches, remote branches (origin/main), \
            tags, full or short commit ids. This is the diff `ferry reconcile` maps \
            to services.

            With --json: the ferry.diff/v1 document {"schema", "from", "to", "changes": \
            [{"status": "added" | "modified" | "deleted" | "renamed", "path", "from_path"}]}; \
            an error as ferry.error/v1.

            Example:
              $ ferry diff v1.4 origin/main --repo /var/lib/ferry/config.git
              M\tservices/web.yaml
              R\tsrc/old.py -> src/new.py
            """
    )

    @Argument(help: "The older revision.")
    var from: String

    @Argument(help: "The newer revision.")
    var to: String

    @Option(help: "The repository (bare, .git, or a working tree's root).")
    var repo: String = "."

    @Flag(help: "Print the time the diff itself took (wall clock and CPU; not start-up or output) to stderr.")
    var timing = false

    @Flag(help: "Print the ferry.diff/v1 JSON document.")
    var json = false

    func run() async throws {
        try await JSONErrorReport.reporting(json: json) { output in
            do {
                try execute(output: output)
            } catch let error as GitError {
                output.writeError("ferry diff: \(error)\n")
                throw ExitCode.failure
            }
        }
    }

    /// Diffs and prints the paths.
    func execute(output: AuditCommand.Output) throws {
        let repository = try GitRepository.open(at: URL(fileURLWithPath: repo))
        let old = try repository.resolve(from)
        let new = try repository.resolve(to)
        let wallStart = ContinuousClock.now
        let cpuStart = Self.threadCPUTime()
        let changes = try repository.diff(from: old, to: new)
        let cpu = Self.threadCPUTime() - cpuStart
        let wall = wallStart.duration(to: .now)
        if json {
            output.write(CommandDocuments.diff(from: old, to: new, changes: changes).serialized() + "\n")
        } else {
            let lines = changes.map(Self.nameStatusLine)
            if !lines.isEmpty { output.write(lines.joined(separator: "\n") + "\n") }
        }
        if timing {
            let report = "diff: \(Self.milliseconds(wall)) ms wall, \(Self.milliseconds(cpu)) ms CPU, \(changes.count) paths\n"
            FileHandle.standardError.write(Data(report.utf8))
        }
    }

    /// CPU time of the calling thread (the diff runs on it), unaffected by other load.
    private static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        return String(Double(microseconds) / 1000)
    }

    /// One line of `git diff --name-status`, with a rename as `R<TAB>old -> new`.
    static func nameStatusLine(_ change: ChangedPath) -> String {
        switch change {
        case .added(let path): "A\t\(path)"
        case .modified(let path): "M\t\(path)"
        case .deleted(let path): "D\t\(path)"
        case .renamed(let from, let to): "R\t\(from) -> \(to)"
        }
    }
}
