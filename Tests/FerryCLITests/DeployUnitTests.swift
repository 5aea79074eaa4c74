import Foundation
import Testing
import _FerryTestHosts
@testable import FerryCLI

/// The files in deploy/ work where they go: the systemd units pass `systemd-analyze verify`
/// and score at most 3.0 in `systemd-analyze security`; the cron file has a name cron reads;
/// the logrotate rule parses.
@Suite(.serialized) struct DeployUnitTests {
    private static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    private static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ferry").path
    }

    /// The service units deploy/ ships: the reconcile's, and the daemon's once it exists.
    private static var services: [URL] {
        ["ferry-reconcile.service", "ferry-agent.service"].map { deploy.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Runs `command` in a mount namespace where /usr/local/bin holds the built `ferry`, so
    /// `verify` finds the ExecStart binary the units name.
    private func withFerryInstalled(_ command: String) throws -> ProcessOutput {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        try FileManager.default.copyItem(atPath: Self.binary, toPath: bin.appendingPathComponent("ferry").path)
        return try HarnessCommand.run(["unshare", "-m", "sh", "-c", "mount --bind \(bin.path) /usr/local/bin && \(command)"], timeout: 120)
    }

    @Test func unitsVerifyClean() throws {
        let units = (Self.services + [Self.deploy.appendingPathComponent("ferry-reconcile.timer")]).map(\.path)
        #expect(units.count >= 2)
        let run = try withFerryInstalled("systemd-analyze verify " + units.joined(separator: " "))
        #expect(run.status == 0, "\(run.stderr)\(run.stdout)")
        #expect(run.stderr.isEmpty, "verify warned: \(run.stderr)")
    }

    @Test(arguments: ["ferry-reconcile.service", "ferry-agent.service"])
    func serviceScoresAtMostThree(_ name: String) throws {
        let unit = Self.deploy.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: unit.path) else {
            #expect(name != "ferry-reconcile.service", "deploy/\(name) is missing")
            return
        }
        let run = try HarnessCommand.run(["systemd-analyze", "security", "--offline=yes", unit.path], timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) })
        #expect(score <= 3.0, "\(name): \(line)")
    }

    @Test func theReconcileServiceKeepsItsPromises() throws {
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("ferry-reconcile.service"), encoding: .utf8)
        for setting in ["User=ferry", "ProtectSystem=strict", "ReadWritePaths=/var/lib/ferry /var/log/ferry", "PrivateTmp=yes",
                        "NoNewPrivileges=yes", "TimeoutStartSec=", "Environment=HOME=/var/lib/ferry", "SuccessExitStatus=75"] {
            #expect(text.contains("\n" + setting), "missing \(setting)")
        }
        let timer = try String(contentsOf: Self.deploy.appendingPathComponent("ferry-reconcile.timer"), encoding: .utf8)
        #expect(!timer.contains("makes the next one wait"), "the timer's comment must match what systemd does")
    }

    @Test func cronReadsTheCronFileAndLogrotateParsesItsRule() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.deploy.path)
        #expect(names.contains("ferry-cron"))
        #expect(!names.contains { $0.contains("cron") && $0.contains(".") }, "run-parts (cron.d) skips names with a dot: \(names)")
        let cron = try String(contentsOf: Self.deploy.appendingPathComponent("ferry-cron"), encoding: .utf8)
        let entry = try #require(cron.split(separator: "\n").first { $0.hasPrefix("* * * * * ") })
        #expect(entry.contains(" root /usr/local/bin/ferry reconcile --once >> /var/log/ferry/ferry.log 2>&1"))
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-logrotate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let run = try HarnessCommand.run(["logrotate", "--debug", "--state", state.path,
                                          Self.deploy.appendingPathComponent("ferry-logrotate").path], timeout: 60)
        let output = run.stderr + run.stdout
        #expect(run.status == 0, "\(output)")
        #expect(output.contains("rotating pattern: /var/log/ferry/ferry.log"), "\(output)")
        #expect(!output.contains("error"), "\(output)")
    }
}
