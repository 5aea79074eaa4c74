import ArgumentParser
import FerryCore
import FerryGit
import FerrySSH

/// `ferry version`: Ferry's release and the C libraries it is linked against.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print Ferry's version and the linked libgit2 and libssh2 versions.",
        discussion: """
            With --json: the ferry.version/v1 document {"schema", "ferry", "libgit2", "libssh2"}.

            Example:
              $ ferry version
              ferry 0.2.0 (libgit2 1.5.1, libssh2 1.10.0)
              $ ferry version --json | jq -r .ferry
            """
    )

    @Flag(help: "Print the ferry.version/v1 JSON document.")
    var json = false

    func run() {
        print(json ? CommandDocuments.version(.current).serialized() : VersionReport.current.line)
    }
}

/// The versions `ferry version` reports, gathered in one place so tests can read them.
struct VersionReport: Equatable {
    var ferry: String
    var libgit2: String
    var libssh2: String

    static var current: VersionReport {
        VersionReport(ferry: FerryVersion.current, libgit2: GitLibrary.version, libssh2: SSHLibrary.version)
    }

    var line: String { "ferry \(ferry) (libgit2 \(libgit2), libssh2 \(libssh2))" }
}
