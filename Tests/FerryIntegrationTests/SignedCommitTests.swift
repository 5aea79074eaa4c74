import FerryAudit
import FerryCore
import Foundation
import Testing
import _FerryTestHosts

/// `allowed_signers` with real commits signed by `git commit -S` (`gpg.format=ssh`): an allowed
/// signer's commit deploys; unsigned, unknown-signer, expired-signer and tampered commits, and
/// an unsigned commit inside a signed range, are refused before any host is contacted, and audited.
@Suite struct SignedCommitTests {
    /// A world with one host, the `alpha` service, and signing keys made by `ssh-keygen`.
    private final class SignedWorld {
        let world: ReconcileWorld
        let keys: URL

        init(hosts: Int = 1) async throws {
            world = try await ReconcileWorld.start(hosts: hosts)
            keys = world.fleet.directory.appendingPathComponent("signing")
            try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
            try world.write("ferry.yaml", world.hostsYAML + "services:\n"
                + ReconcileWorld.serviceYAML("alpha", port: 8231, hosts: world.fleet.hosts.map(\.name)))
        }

        /// A new private key file (`ed25519` or `ecdsa`), without a passphrase.
        func key(_ name: String, type: String = "ed25519") throws -> URL {
            let file = keys.appendingPathComponent(name)
            try HarnessCommand.runChecked(["ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", file.path]
                + (type == "ecdsa" ? ["-b", "256"] : []))
            return file
        }

        /// Writes an allowed_signers file listing each key for the world's committer email, with `options`.
        func allow(_ keys: [URL], options: String = "namespaces=\"git\"") throws -> String {
            let lines = try keys.map { key in
                let publicKey = try String(contentsOf: URL(fileURLWithPath: key.path + ".pub"), encoding: .utf8)
                return "test@ferry.invalid \(options) \(publicKey.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
            let file = self.keys.appendingPathComponent("allowed_signers")
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
            return file.path
        }

        /// Writes the server with `marker` and commits it, signed with `key` when given; the new head.
        @discardableResult
        func commit(_ marker: String, signedWith key: URL?) throws -> String {
            try world.write("alpha/server.py", ReconcileWorld.serverScript(marker: marker))
            try world.git(["add", "-A"])
            if let key {
                try world.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key.path)", "commit", "-S", "-qm", marker])
            } else {
                try world.git(["commit", "-qm", marker])
            }
            return try world.head()
        }

        /// A reconcile with `allowed_signers` set to `path`.
        func reconcile(allowedSigners path: String) async throws -> RunReport {
            var settings = world.settings
            settings.allowedSigners = path
            return try await Reconciler(request: ReconcileRequest(settings: settings)).runOnce()
        }

        /// Runs a reconcile that must be refused for `commit`: nothing on any host changes, the
        /// error is `unverifiedCommit`, and the audit log has the `commit_refused` record.
        func expectRefusal(of commit: String, allowedSigners path: String, reason: String,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws -> AuditRecord? {
            let before = try world.hostSnapshots()
            do {
                let report = try await reconcile(allowedSigners: path)
                Issue.record("the run was not refused: \(report.text)", sourceLocation: sourceLocation)
            } catch let error as ReconcileError {
                #expect(error.kind == .unverifiedCommit, "\(error)", sourceLocation: sourceLocation)
                #expect(error.message.contains(String(commit.prefix(7))), "\(error)", sourceLocation: sourceLocation)
                #expect(error.message.contains(reason), "\(error)", sourceLocation: sourceLocation)
            }
            #expect(try world.hostSnapshots() == before, "a host changed", sourceLocation: sourceLocation)
            let records = try world.lastRunRecords()
            #expect(!records.contains { $0.kind == .deployStarted || $0.kind == .reconcileStarted }, sourceLocation: sourceLocation)
            let refused = records.first { $0.kind == .commitRefused }
            #expect(refused?.toRevision == commit, "\(records.map(\.kind))", sourceLocation: sourceLocation)
            #expect(refused?.detail?["reason"]?.contains(reason) == true, "\(String(describing: refused))", sourceLocation: sourceLocation)
            #expect(records.last?.kind == .reconcileFinished && records.last?.outcome == .failed, sourceLocation: sourceLocation)
            return refused
        }
    }

    @Test(arguments: ["ed25519", "ecdsa"])
    func anAllowedSignersCommitDeploys(type: String) async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice", type: type)
        let allowed = try signed.allow([key])
        try signed.commit("alpha-v1", signedWith: key)
        let first = try await signed.reconcile(allowedSigners: allowed)
        #expect(first.converged, "\(first.text)")
        #expect(try signed.world.ask(signed.world.fleet.hosts[0], port: 8231).contains("alpha-v1"))
        try signed.commit("alpha-v2", signedWith: key)
        try signed.commit("alpha-v3", signedWith: key)
        let fingerprint = try HarnessCommand.runChecked(["ssh-keygen", "-l", "-f", key.path + ".pub"]).stdout.split(separator: " ")[1]
        let plan = try await signed.world.ferry(["plan", "--allowed-signers", allowed])
        #expect(plan.exitCode == 0, "\(plan.errors)")
        #expect(plan.output.contains("signatures: 2 commits verified, head signed by test@ferry.invalid (\(fingerprint))"), "\(plan.output)")
        let second = try await signed.reconcile(allowedSigners: allowed)
        #expect(second.converged, "\(second.text)")
        #expect(try signed.world.ask(signed.world.fleet.hosts[0], port: 8231).contains("alpha-v3"))
        let records = try signed.world.lastRunRecords()
        #expect(!records.contains { $0.kind == .commitRefused })
        let started = records.first { $0.kind == .reconcileStarted }
        #expect(started?.detail?["signatures"] == "2 commits verified, head signed by test@ferry.invalid (\(fingerprint))")
    }

    @Test func anUnsignedCommitIsRefused() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        let allowed = try signed.allow([key])
        try signed.commit("alpha-v1", signedWith: key)
        #expect(try await signed.reconcile(allowedSigners: allowed).converged)
        let unsigned = try signed.commit("alpha-unsigned", signedWith: nil)
        let record = try await signed.expectRefusal(of: unsigned, allowedSigners: allowed, reason: "it is not signed")
        #expect(record?.detail?["principal"] == "test@ferry.invalid")
        #expect(try signed.world.ask(signed.world.fleet.hosts[0], port: 8231).contains("alpha-v1"))
    }

    @Test func anUnknownSignerIsRefusedNamingTheKey() async throws {
        let signed = try await SignedWorld(hosts: 2)
        defer { signed.world.stop() }
        let alice = try signed.key("alice")
        let mallory = try signed.key("mallory")
        let allowed = try signed.allow([alice])
        let head = try signed.commit("alpha-mallory", signedWith: mallory)
        let fingerprint = try HarnessCommand.runChecked(["ssh-keygen", "-l", "-f", mallory.path + ".pub"]).stdout
            .split(separator: " ")[1].description
        let record = try await signed.expectRefusal(of: head, allowedSigners: allowed, reason: "which \(allowed) does not list")
        #expect(record?.detail?["signer_key"] == fingerprint)
        for host in signed.world.fleet.hosts {
            #expect(signed.world.releases("alpha", on: host).isEmpty, "first run refused: nothing reaches \(host.name)")
        }
    }

    @Test func anExpiredSignerIsRefused() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        let allowed = try signed.allow([key], options: "namespaces=\"git\",valid-before=\"20200101\"")
        let head = try signed.commit("alpha-v1", signedWith: key)
        _ = try await signed.expectRefusal(of: head, allowedSigners: allowed, reason: "the key expired at 2020-01-01")
    }

    @Test func aSignatureCopiedOntoAnotherCommitIsRefused() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        let allowed = try signed.allow([key])
        let base = try signed.commit("alpha-v1", signedWith: key)
        #expect(try await signed.reconcile(allowedSigners: allowed).converged)
        let genuine = try signed.commit("alpha-v2", signedWith: key)
        try signed.world.git(["reset", "-q", "--hard", base])
        let evil = try signed.commit("alpha-evil", signedWith: nil)
        let tampered = try Self.copySignature(of: genuine, onto: evil, in: signed.world)
        _ = try await signed.expectRefusal(of: tampered, allowedSigners: allowed, reason: "does not match its content")
        #expect(try signed.world.ask(signed.world.fleet.hosts[0], port: 8231).contains("alpha-v1"))
    }

    @Test func anUnsignedCommitInsideASignedRangeIsRefused() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        let allowed = try signed.allow([key])
        try signed.commit("alpha-v1", signedWith: key)
        #expect(try await signed.reconcile(allowedSigners: allowed).converged)
        try signed.commit("alpha-v2", signedWith: key)
        let hidden = try signed.commit("alpha-hidden", signedWith: nil)
        try signed.commit("alpha-v4", signedWith: key)
        _ = try await signed.expectRefusal(of: hidden, allowedSigners: allowed, reason: "it is not signed")
        #expect(try signed.world.ask(signed.world.fleet.hosts[0], port: 8231).contains("alpha-v1"))
    }

    @Test func theFirstRunVerifiesTheHeadOnly() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        let allowed = try signed.allow([key])
        try signed.commit("alpha-old-unsigned", signedWith: nil)
        try signed.commit("alpha-v1", signedWith: key)
        let report = try await signed.reconcile(allowedSigners: allowed)
        #expect(report.converged, "\(report.text)")
    }

    @Test func aMalformedAllowedSignersFileStopsTheRunBeforeAnyHost() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        try signed.commit("alpha-v1", signedWith: key)
        let file = signed.keys.appendingPathComponent("broken_signers")
        try Data("# team\nalice@example.com ssh-ed25519\n".utf8).write(to: file)
        do {
            let report = try await signed.reconcile(allowedSigners: file.path)
            Issue.record("the run went on: \(report.text)")
        } catch let error as ReconcileError {
            #expect(error.kind == .settings)
            #expect(error.message.contains("\(file.path):2:"), "\(error)")
        }
        #expect(signed.world.releases("alpha", on: signed.world.fleet.hosts[0]).isEmpty)
    }

    @Test func theBinaryExitsOneAndPlanAndValidateShowTheVerdict() async throws {
        let signed = try await SignedWorld()
        defer { signed.world.stop() }
        let key = try signed.key("alice")
        let allowed = try signed.allow([key])
        let good = try signed.commit("alpha-v1", signedWith: key)
        let fingerprint = try HarnessCommand.runChecked(["ssh-keygen", "-l", "-f", key.path + ".pub"]).stdout.split(separator: " ")[1]
        let verified = try signed.world.runBinary(["validate", signed.world.work.path, "--ref", good, "--allowed-signers", allowed])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("commit \(good.prefix(7)): signed by test@ferry.invalid (\(fingerprint))"), "\(verified.stdout)")

        let bad = try signed.commit("alpha-unsigned", signedWith: nil)
        let refused = try signed.world.runBinary(["validate", signed.world.work.path, "--ref", bad, "--allowed-signers", allowed, "--json"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains(#""reason":"it is not signed""#) || refused.stdout.contains(#""reason": "it is not signed""#), "\(refused.stdout)")

        let plan = try await signed.world.ferry(["plan", "--allowed-signers", allowed])
        #expect(plan.exitCode == 1)
        #expect(plan.errors.contains("commit \(bad.prefix(7)) is not signed by an allowed signer: it is not signed"), "\(plan.errors)")

        let reconcile = try signed.world.runBinary(["reconcile", "--once", "--allowed-signers", allowed])
        #expect(reconcile.status == 1, "\(reconcile.stderr)")
        #expect(reconcile.stderr.contains("is not signed by an allowed signer"), "\(reconcile.stderr)")
        #expect(signed.world.releases("alpha", on: signed.world.fleet.hosts[0]).isEmpty)
    }

    /// Writes a commit object that is `target` with the `gpgsig` header of `signed`, points
    /// `main` at it, and returns its id: a valid signature over other content.
    private static func copySignature(of signed: String, onto target: String, in world: ReconcileWorld) throws -> String {
        let signedObject = try HarnessCommand.runChecked(["git", "-C", world.work.path, "cat-file", "commit", signed]).stdout
        let targetObject = try HarnessCommand.runChecked(["git", "-C", world.work.path, "cat-file", "commit", target]).stdout
        var signature: [Substring] = []
        for line in signedObject.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("gpgsig ") || (!signature.isEmpty && line.hasPrefix(" ")) {
                signature.append(line)
            } else if !signature.isEmpty {
                break
            }
        }
        var lines = targetObject.split(separator: "\n", omittingEmptySubsequences: false)
        let committer = try #require(lines.firstIndex { $0.hasPrefix("committer ") })
        lines.insert(contentsOf: signature, at: committer + 1)
        let tampered = try HarnessCommand.runChecked(
            ["git", "-C", world.work.path, "hash-object", "-w", "-t", "commit", "--stdin"], input: lines.joined(separator: "\n"))
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try HarnessCommand.runChecked(["git", "-C", world.work.path, "update-ref", "refs/heads/main", tampered])
        return tampered
    }
}
