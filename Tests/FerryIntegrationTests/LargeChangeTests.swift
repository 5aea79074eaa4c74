import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// Changes of any size: a service of ten thousand files deploys, and so does the commit
/// that deletes all of them (real Git, a real sshd host).
@Suite struct LargeChangeTests {
    static let fileCount = 10_000

    /// Writes `fileCount` small files under `bulk/data/dNNN/` (100 per directory) with one shell.
    private func writeManyFiles(in world: ReconcileWorld) throws {
        let script = """
            cd "$1" && i=0
            while [ $i -lt \(Self.fileCount) ]; do
              d=bulk/data/d$((i / 100))
              [ -d "$d" ] || mkdir -p "$d"
              printf 'file %d of the bulk service\\n' $i > "$d/f$i.txt"
              i=$((i + 1))
            done
            """
        try HarnessCommand.runChecked(["sh", "-c", script, "sh", world.work.path], timeout: 120)
    }

    /// The regular files of the release `current` points at, and its directories, counted on the host.
    private func counts(on host: TestHost) throws -> (files: Int, directories: Int) {
        let files = try host.runInside(["sh", "-c", "find -L /srv/bulk/current/ -type f | wc -l"]).stdout
        let directories = try host.runInside(["sh", "-c", "find -L /srv/bulk/current/ -mindepth 1 -type d | wc -l"]).stdout
        return (Int(files.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1, Int(directories.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    @Test(.timeLimit(.minutes(3)))
    func tenThousandFilesDeployAndACommitDeletingThemAllDeploysToo() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("bulk", port: 8301, hosts: [host.name]))
        try world.write("bulk/server.py", ReconcileWorld.serverScript(marker: "bulk-v1"))
        try writeManyFiles(in: world)
        try world.commit("ten thousand files")

        let first = try await world.reconcile()
        #expect(first.converged, "\(first.text)")
        let deployed = try counts(on: host)
        #expect(deployed.files == Self.fileCount + 1 && deployed.directories == 102, "\(deployed)")
        #expect(try String(contentsOf: host.localPath("/srv/bulk/current/bulk/data/d99/f9999.txt"), encoding: .utf8)
                == "file 9999 of the bulk service\n")
        let firstRecord = try #require(try world.lastRunRecords().first { $0.kind == .deploySucceeded })
        #expect(firstRecord.filesChanged == Self.fileCount + 1)
        #expect(try world.ask(host, port: 8301).hasSuffix("bulk-v1"))

        try world.git(["rm", "-rq", "bulk/data"])
        try world.commit("delete ten thousand files")
        let second = try await world.reconcile()
        #expect(second.converged, "\(second.text)")
        let left = try counts(on: host)
        #expect(left.files == 1 && left.directories == 1, "only bulk/server.py is left: \(left)")
        #expect(try world.ask(host, port: 8301).hasSuffix("bulk-v1"))
        let releases = world.releases("bulk", on: host)
        #expect(releases.count == 2)
        let previous = try host.runInside(["sh", "-c", "find /srv/bulk/releases/\(releases[0]) -type f | wc -l"]).stdout
        #expect(previous.trimmingCharacters(in: .whitespacesAndNewlines) == "\(Self.fileCount + 1)", "the previous release keeps its files")
    }

    @Test func aDeployLargerThanTheHostsDiskSaysSoAndLeavesNoPartialFile() async throws {
        let world = try await ReconcileWorld.start(hosts: 1)
        defer { world.stop() }
        let host = world.fleet.hosts[0]
        try FileManager.default.createDirectory(at: host.localPath("/srv/tiny"), withIntermediateDirectories: true)
        // A 512 KiB file system, mounted only inside the host's mount namespace.
        let mounted = try host.runInside(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", "/srv/tiny"])
        #expect(mounted.status == 0, "\(mounted.stderr)")
        try world.write("ferry.yaml", world.hostsYAML + "services:\n" + ReconcileWorld.serviceYAML("tiny", port: 8302, hosts: [host.name]))
        try world.write("tiny/server.py", ReconcileWorld.serverScript(marker: "tiny-v1"))
        try world.write("tiny/data/model.bin", String(repeating: "0123456789abcdef", count: 50_000))
        try world.commit("more than the disk holds")

        let report = try await world.reconcile()
        #expect(!report.converged)
        #expect(report.text.contains("upload: no space left on \(host.name) (/srv/tiny/releases/"), "\(report.text)")
        let left = try host.runInside(["sh", "-c", "find /srv/tiny -name '.*.ferry-*' | wc -l"]).stdout
        #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no temporary file is left behind")
    }
}
