import Foundation
import Testing
@testable import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 10, item 7: the agent's private files — the state directory, the audit log, secret
/// files — are refused when others can write them or own them, with the command that fixes it.
@Suite struct StatePermissionTests {
    /// The reconcile of `fixture`, expected to stop on a permission problem before reaching any host.
    private func refusal(_ fixture: OperatorFixture, environment: [String: String] = [:]) async -> ReconcileError? {
        do {
            _ = try await Reconciler(request: ReconcileRequest(settings: fixture.settings, environment: environment)).runOnce()
            return nil
        } catch {
            return error as? ReconcileError
        }
    }

    @Test func aGroupWritableStateDirectoryIsRefusedWithTheFix() async throws {
        let fixture = try OperatorFixture()
        let root = fixture.state.root.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(chmod(root, 0o770) == 0)
        #expect(throws: UnsafePermissionsError.self) { try fixture.state.prepare() }

        let error = try #require(await refusal(fixture))
        #expect(error.kind == .settings)  // exit 78
        #expect(error.message.contains("the state directory \(root) is writable by its group (mode 770)"), "\(error)")
        #expect(error.hint?.contains("chmod 700 \(root)") == true, "\(error)")
        #expect(try permissions(fixture.state.root) == 0o770, "the directory was changed instead of refused")
    }

    @Test func aReadableStateDirectoryIsMadePrivateNotRefused() throws {
        let fixture = try OperatorFixture()
        let root = fixture.state.root.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(chmod(root, 0o755) == 0)
        try fixture.state.prepare()
        #expect(try permissions(fixture.state.root) == 0o700)
    }

    @Test func aWorldWritableAuditLogIsRefusedWithTheFix() async throws {
        let fixture = try OperatorFixture()
        try fixture.state.prepare()
        let log = fixture.state.auditLogURL.path
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        #expect(chmod(log, 0o646) == 0)

        let error = try #require(await refusal(fixture))
        #expect(error.kind == .settings)
        #expect(error.message.contains("the audit log \(log) is writable by every user (mode 646)"), "\(error)")
        #expect(error.hint?.contains("chmod 600 \(log)") == true, "\(error)")
        #expect(try Data(contentsOf: fixture.state.auditLogURL).isEmpty, "a record was appended to the refused log")
    }

    @Test func anOperatorCommandRefusesAWorldWritableAuditLog() async throws {
        let fixture = try OperatorFixture()
        try fixture.state.prepare()
        let log = fixture.state.auditLogURL.path
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        #expect(chmod(log, 0o666) == 0)
        let error = try #require(await operatorError {
            _ = try await ServiceSuspension(context: fixture.context()).suspend("web", reason: nil)
        })
        #expect("\(error)".contains("chmod 600 \(log)"), "\(error)")
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give a file to another user"))
    func aSecretFileOwnedByAnotherUserIsRefusedWithTheFix() async throws {
        let fixture = try OperatorFixture()
        let secret = fixture.directory.appendingPathComponent("db-password").path
        #expect(FileManager.default.createFile(atPath: secret, contents: Data("hunter2-db".utf8), attributes: [.posixPermissions: 0o600]))
        #expect(chown(secret, 65534, 65534) == 0)
        try fixture.write("ferry.yaml", OperatorFixture.config.replacingOccurrences(
            of: "    approval: manual\n", with: "    approval: manual\n    env: { DB_PASSWORD: { from_file: \(secret) } }\n"))
        _ = try fixture.commit("secret from a file")

        let error = try #require(await refusal(fixture))
        #expect(error.kind == .settings)
        #expect(error.message.contains("the secret file of web's DB_PASSWORD \(secret) is owned by"), "\(error)")
        #expect(error.hint?.contains("chown root \(secret)") == true, "\(error)")
    }

    @Test func aGroupWritableSecretFileIsRefused() throws {
        let directory = try StateTestDirectory()
        let secret = directory.file("token").path
        #expect(FileManager.default.createFile(atPath: secret, contents: Data("t0ken-value".utf8), attributes: [.posixPermissions: 0o620]))
        #expect(chmod(secret, 0o620) == 0)
        #expect(throws: UnsafePermissionsError(
            path: secret, problem: "the secret file \(secret) is writable by its group (mode 620)", fix: "chmod 600 \(secret)")) {
            try PrivatePath.check(secret, what: "the secret file")
        }
        #expect(chmod(secret, 0o600) == 0)
        try PrivatePath.check(secret, what: "the secret file")
    }
}

extension StatePermissionTests {
    @Test func aGroupWritableSSHKeyIsRefusedBeforeAnyHostIsContacted() async throws {
        let fixture = try OperatorFixture()
        let key = fixture.directory.appendingPathComponent("id_ed25519").path
        #expect(FileManager.default.createFile(atPath: key, contents: Data("not a key".utf8), attributes: [.posixPermissions: 0o660]))
        #expect(chmod(key, 0o660) == 0)
        var settings = fixture.settings
        settings.sshKey = key
        do {
            _ = try await Reconciler(request: ReconcileRequest(settings: settings)).runOnce()
            Issue.record("a group-writable SSH key was used")
        } catch let error as ReconcileError {
            #expect(error.kind == .settings)
            #expect(error.message == "the SSH key \(key) is writable by its group (mode 660)", "\(error)")
            #expect(error.hint?.contains("chmod 600 \(key)") == true, "\(error)")
        }
    }
}

extension StatePermissionTests {
    @Test func statusAndTheSurveyRefuseAGroupWritableStateDirectory() async throws {
        let fixture = try OperatorFixture()
        let root = fixture.state.root.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(chmod(root, 0o730) == 0)
        let status = try #require(await operatorError { _ = try StatusReader(settings: fixture.settings).read() })
        #expect(status.hint?.contains("chmod 700 \(root)") == true, "\(status)")
        do {
            _ = try await FleetSurvey(settings: fixture.settings).run()
            Issue.record("drift and plan read a group-writable state directory")
        } catch let error as ReconcileError {
            #expect(error.kind == .settings && error.hint?.contains("chmod 700 \(root)") == true, "\(error)")
        }
    }
}

extension StatePermissionTests {
    @Test func aWorldWritableAuditKeyIsRefused() async throws {
        let fixture = try OperatorFixture()
        try fixture.state.prepare()
        let key = fixture.state.auditKeyURL.path
        #expect(FileManager.default.createFile(atPath: key, contents: Data(repeating: 7, count: 32)))
        #expect(chmod(key, 0o606) == 0)
        let error = try #require(await refusal(fixture))
        #expect(error.kind == .settings)
        #expect(error.message == "the audit key \(key) is writable by every user (mode 606)", "\(error)")
        #expect(error.hint?.contains("chmod 600 \(key)") == true, "\(error)")
    }
}
