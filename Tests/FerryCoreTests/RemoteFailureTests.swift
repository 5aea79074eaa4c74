import Foundation
import Testing
@testable import FerryCore

@Suite struct RemoteFailureTests {
    @Test func namesTheKindTheHostAndThePathOfCommonMessages() {
        let cases: [(String, RemoteFailure.Kind, String?)] = [
            ("mkdir: cannot create directory '/srv/api/releases/x': No space left on device\nferry: cannot create /srv/api/releases/x",
             .noSpaceLeft, "/srv/api/releases/x"),
            ("sh: 1: cannot create /srv/api/.ferry/lock: Permission denied", .permissionDenied, "/srv/api/.ferry/lock"),
            ("/bin/sh: 1: /srv/api/run.sh: Permission denied", .permissionDenied, "/srv/api/run.sh"),
            ("cp: cannot create regular file '/srv/api/releases/x/app.py': Read-only file system", .readOnlyFileSystem, "/srv/api/releases/x/app.py"),
            ("mv: cannot move 'a.tmp' to '/srv/api/releases/x/a': No space left on device", .noSpaceLeft, "/srv/api/releases/x/a"),
            ("chown: changing ownership of '/srv/api/x': Operation not permitted", .permissionDenied, "/srv/api/x"),
            ("ssh root@10.0.0.2:22: opening /srv/api/releases/x/.a.tmp failed: permission denied (SSH_FX 3) (libssh2_sftp_open_ex)",
             .permissionDenied, "/srv/api/releases/x/.a.tmp"),
            ("ssh root@10.0.0.2:22: writing /srv/api/releases/x/a failed: no space left on the file system (SSH_FX 14)",
             .noSpaceLeft, "/srv/api/releases/x/a"),
            ("ssh root@10.0.0.2:22: opening /srv/api/a failed: write protected (SSH_FX 12)", .readOnlyFileSystem, "/srv/api/a"),
        ]
        for (output, kind, path) in cases {
            let failure = RemoteFailure(output: output, host: "web1")
            #expect(failure == RemoteFailure(kind: kind, host: "web1", path: path), "\(output)")
        }
    }

    @Test func theFirstFailureNamedWins() {
        let output = "touch: cannot touch '/a': Read-only file system\nrm: cannot remove '/b': Permission denied"
        #expect(RemoteFailure(output: output, host: "h")?.kind == .readOnlyFileSystem)
    }

    @Test func fallsBackToTheCallersPathWhenTheLineNamesNone() {
        let failure = RemoteFailure(output: "write error: No space left on device", host: "web1", fallbackPath: "/srv/api")
        #expect(failure?.path == "/srv/api")
        #expect(RemoteFailure(output: "write error: No space left on device", host: "web1")?.path == nil)
    }

    @Test func otherFailuresAreNotClassified() {
        #expect(RemoteFailure(output: "ferry: release r1 is the current release", host: "h") == nil)
        #expect(RemoteFailure(output: "", host: "h") == nil)
    }

    @Test func messagesNameHostAndPathAndSayWhatToDo() {
        #expect(RemoteFailure(kind: .noSpaceLeft, host: "web1", path: "/srv/api").description
            .hasPrefix("no space left on web1 (/srv/api): free space"))
        #expect(RemoteFailure(kind: .permissionDenied, host: "web1", path: "/srv/api").description
            .hasPrefix("permission denied on web1 (/srv/api): "))
        #expect(RemoteFailure(kind: .readOnlyFileSystem, host: "web1", path: nil).description
            .hasPrefix("read-only file system on web1: remount"))
    }

    @Test func theDiagnosisPassesOnAWritableDirectory() async throws {
        let sandbox = try RemoteSandbox()
        let run = try await runRemote(RemoteFailure.diagnosisScript(for: sandbox.path("srv/api/releases/x/a.py")), in: sandbox)
        #expect(run.status == 0, "\(run.stderrText)")
        #expect(FileManager.default.subpaths(atPath: sandbox.url.path)?.contains { $0.contains("write-check") } == false)
    }

    /// Real messages from real file systems: a read-only and a full tmpfs, mounted in a
    /// private user and mount namespace (`unshare`, util-linux).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")), arguments: [("ro", RemoteFailure.Kind.readOnlyFileSystem), ("full", .noSpaceLeft)])
    func theDiagnosisNamesAReadOnlyOrFullFileSystem(mode: String, kind: RemoteFailure.Kind) async throws {
        let sandbox = try RemoteSandbox()
        let mountPoint = sandbox.path("mnt")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let setup = mode == "ro"
            ? "mount -t tmpfs -o size=64k,ro tmpfs \"$1\""
            : "mount -t tmpfs -o size=16k tmpfs \"$1\" && dd if=/dev/zero of=\"$1/fill\" bs=1k count=64 2>/dev/null; true"
        let diagnosis = RemoteFailure.diagnosisScript(for: mountPoint + "/srv/api/releases/x/a.py")
        let (status, stderr) = try runInNamespace("\(setup) && \(diagnosis.commandLine)", mountPoint)
        #expect(status == 1, "\(stderr)")
        let failure = RemoteFailure(output: stderr, host: "web1")
        #expect(failure == RemoteFailure(kind: kind, host: "web1", path: mountPoint), "\(stderr)")
    }

    /// `sh -c script` as root of a new user and mount namespace; its exit status and stderr.
    private func runInNamespace(_ script: String, _ argument: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rm", "/bin/sh", "-c", script, "sh", argument]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
