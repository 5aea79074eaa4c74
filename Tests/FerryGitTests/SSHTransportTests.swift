import FerryGit
import Foundation
import Testing

@Suite struct SSHTransportTests {
    @Test func aConnectorsErrorSurfacesWithItsMessage() async throws {
        let target = try TemporaryDirectory()
        let options = GitTransferOptions(sshConnector: FailingConnector(error: PlainError(description: "connection refused by 10.213.0.9:22")))
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: "ssh://deploy@10.213.0.9/srv/git/config.git", to: target.appending("c"), options: options)
        }
        #expect(error?.kind == .network)
        #expect(error?.message.contains("connection refused by 10.213.0.9:22") == true)
        #expect(error?.function == "Git over SSH to 10.213.0.9:22", "no Swift type in the message")
        #expect(!FileManager.default.fileExists(atPath: target.appending("c").path))
    }

    @Test func aConnectorsGitErrorKeepsItsKind() async throws {
        let target = try TemporaryDirectory()
        let hostKeyError = GitError(kind: .hostKey, message: "host key of git.example changed (SHA256:abc)", function: "SSHSession.connect")
        let options = GitTransferOptions(sshConnector: FailingConnector(error: hostKeyError))
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: "git@git.example:config.git", to: target.appending("c"), options: options)
        }
        #expect(error == hostKeyError)
    }

    @Test func aConnectorErrorThatNamesItsKindKeepsIt() async throws {
        let target = try TemporaryDirectory()
        let options = GitTransferOptions(sshConnector: FailingConnector(error: AuthenticationRefused()))
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: "ssh://root@10.213.0.9/srv/git/config.git", to: target.appending("c"), options: options)
        }
        #expect(error?.kind == .auth)
        #expect(error?.message == "root@10.213.0.9: publickey authentication refused")
    }

    @Test func aStreamThatNeverAnswersEndsWithTheConnectorsTimeout() async throws {
        let target = try TemporaryDirectory()
        let options = GitTransferOptions(sshConnector: SilentConnector(readTimeout: .milliseconds(300)))
        let started = ContinuousClock.now
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: "ssh://10.213.0.9/srv/git/config.git", to: target.appending("c"), options: options)
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("sent nothing within the read timeout") == true)
        #expect(started.duration(to: .now) < .seconds(30))
    }

    @Test func cancellingTheTaskStopsTheTransfer() async throws {
        let target = try TemporaryDirectory()
        let connector = SilentConnector(readTimeout: .seconds(30))
        let clone = Task {
            try await GitRepository.clone(
                from: "ssh://10.213.0.9/srv/git/config.git", to: target.appending("c"),
                options: GitTransferOptions(sshConnector: connector))
        }
        #expect(await Self.wait(connector.opened, upTo: .seconds(10)))
        clone.cancel()
        connector.release.signal()
        let result = await clone.result
        #expect(throws: GitError(kind: .cancelled, message: "the transfer was cancelled", function: "GitRepository")) {
            try result.get()
        }
    }

    @Test func anSSHRemoteWithoutAConnectorIsRefused() async throws {
        let target = try TemporaryDirectory()
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: "ssh://10.213.0.9/srv/git/config.git", to: target.appending("c"))
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("no SSH connector") == true)
    }

    @Test func theRealSSHClientRefusesAChangedHostKeyAndSaysSo() async throws {
        let server = try await GitServer()
        try server.work.commit("first")
        try server.push()
        let target = try TemporaryDirectory()
        let options = GitTransferOptions(sshConnector: server.connector(knownHosts: try server.changedKnownHosts()))
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: server.sshURL, to: target.appending("c"), options: options)
        }
        #expect(error?.message.contains("Host key verification failed") == true)
    }

    @Test func aMissingRemoteRepositoryOverSSHFailsWithGitsMessage() async throws {
        let server = try await GitServer()
        let target = try TemporaryDirectory()
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(
                from: "ssh://root@\(server.host.address)/srv/no/such.git", to: target.appending("c"),
                options: GitTransferOptions(sshConnector: server.connector()))
        }
        #expect(error?.message.contains("does not appear to be a git repository") == true)
    }

    /// Waits for `semaphore` off the cooperative pool, for at most `limit`.
    private static func wait(_ semaphore: DispatchSemaphore, upTo limit: DispatchTimeInterval) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: semaphore.wait(timeout: .now() + limit) == .success)
            }
        }
    }
}
