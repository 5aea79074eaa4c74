import FerryGit
import Foundation
import Testing
import _FerryTestHosts

/// libgit2 over HTTPS against `git http-backend` behind lighttpd, with a private CA and a
/// token the server requires: a fetch, an incremental fetch, and each way it can fail.
@Suite(.serialized) struct HTTPSInteropTests {
    private func server(with first: inout CommitID?) throws -> (LighttpdGitServer, GitFixture, URL) {
        let server = try LighttpdGitServer()
        let bare = try server.createRepository("config")
        let work = try GitFixture()
        try work.write("ferry.yaml", "hosts: {}\n")
        first = try work.commit("first")
        try work.git(["push", "-q", bare.path, "main"])
        return (server, work, bare)
    }

    private func options(_ server: LighttpdGitServer, token: String? = nil, ca: Bool = true) -> GitTransferOptions {
        GitTransferOptions(
            httpCredentials: GitHTTPCredentials(username: server.username, token: token ?? server.token),
            certificateAuthorities: ca ? GitCertificateAuthorities(file: server.caFile.path, directory: nil) : nil)
    }

    @Test func fetchesWithATokenAndAPrivateCAThenFetchesAgain() async throws {
        var first: CommitID?
        let (server, work, bare) = try server(with: &first)
        defer { server.stop() }
        let target = try TemporaryDirectory()
        let clone = try await GitRepository.clone(from: server.url("config"), to: target.appending("clone.git"), options: options(server))
        #expect(try clone.resolve("origin/main") == first)
        #expect(clone.remoteDefaultBranch() == "main")

        try work.write("ferry.yaml", "hosts: { a: {} }\n")
        let second = try work.commit("second")
        try work.git(["push", "-q", bare.path, "main"])
        try await clone.fetch(options: options(server))
        #expect(try clone.resolve("origin/main") == second)
    }

    @Test func withoutThePrivateCATheCertificateIsRefused() async throws {
        var first: CommitID?
        let (server, _, _) = try server(with: &first)
        defer { server.stop() }
        let target = try TemporaryDirectory()
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: server.url("config"), to: target.appending("clone.git"), options: options(server, ca: false))
        }
        #expect(error?.kind == .hostKey)
        #expect(error?.message.lowercased().contains("certificate") == true)
    }

    @Test func withoutATokenTheRefusalSaysWhatToSet() async throws {
        var first: CommitID?
        let (server, _, _) = try server(with: &first)
        defer { server.stop() }
        let target = try TemporaryDirectory()
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(
                from: server.url("config"), to: target.appending("clone.git"),
                options: GitTransferOptions(certificateAuthorities: GitCertificateAuthorities(file: server.caFile.path, directory: nil)))
        }
        #expect(error?.kind == .auth)
        #expect(error?.message.contains("git_credentials_file") == true)
    }

    @Test func aWrongTokenIsRefusedOnceAndNotShown() async throws {
        var first: CommitID?
        let (server, _, _) = try server(with: &first)
        defer { server.stop() }
        let target = try TemporaryDirectory()
        let wrong = "wrong-\(UUID().uuidString)"
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: server.url("config"), to: target.appending("clone.git"), options: options(server, token: wrong))
        }
        #expect(error?.kind == .auth)
        #expect(error?.message.contains("refused the token of user deploy") == true)
        #expect(error.map { "\($0)" }?.contains(wrong) == false)
    }

    @Test func anIPAddressURLSaysTheTLSLibraryChecksNamesOnly() async throws {
        var first: CommitID?
        let (server, _, _) = try server(with: &first)
        defer { server.stop() }
        let target = try TemporaryDirectory()
        let url = server.url("config").replacingOccurrences(of: "localhost", with: "127.0.0.1")
        let error = await #expect(throws: GitError.self) {
            try await GitRepository.clone(from: url, to: target.appending("clone.git"), options: options(server))
        }
        #expect(error?.message.contains("127.0.0.1 is an IP address") == true)
    }
}
