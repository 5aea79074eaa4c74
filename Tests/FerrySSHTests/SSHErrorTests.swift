import Foundation
import Testing
@testable import FerrySSH

@Suite struct SSHErrorTests {
    @Test func theDescriptionNamesTheHostTheFailingCallAndLibssh2sMessage() {
        let error = SSHError(
            kind: .channelFailure, message: "the host refused a channel", endpoint: "root@10.0.0.5:22",
            function: "libssh2_channel_open_ex", code: -21, libraryMessage: "Channel open failure"
        )
        #expect(error.description == "ssh root@10.0.0.5:22: the host refused a channel (libssh2_channel_open_ex: Channel open failure)")
    }

    @Test func onlyTransientFailuresAreRetryable() {
        let retryable = SSHError.Kind.allCases.filter { SSHError(kind: $0, message: "").isRetryable }
        #expect(Set(retryable) == [.timeout, .connectRefused, .connectionClosed, .nameResolutionFailed, .channelFailure])
    }

    @Test func endpointsPrintIPv6AddressesInBrackets() {
        #expect(SSHEndpoint(host: "::1", port: 2222, user: "root").description == "root@[::1]:2222")
        #expect(SSHEndpoint(host: "web-1", user: "deploy").hostAndPort == "web-1:22")
    }

    @Test func passphrasesNeverAppearInCredentialDescriptions() {
        let credentials = SSHCredentials([.agent(socketPath: nil), .keyFile(path: "/k", passphrase: "hunter2")])
        #expect(!credentials.description.contains("hunter2"))
        #expect(credentials.description.contains("/k"))
    }

    @Test func remotePathsGetATemporarySiblingAndTheirAncestors() throws {
        let temporary = try RemotePath.temporarySibling(of: "/srv/app/config.json")
        #expect(temporary.hasPrefix("/srv/app/.config.json.ferry-"))
        #expect(try RemotePath.temporarySibling(of: "name").hasPrefix(".name.ferry-"))
        #expect(throws: SSHError.self) { try RemotePath.temporarySibling(of: "/srv/app/") }
        #expect(RemotePath.ancestorsAndSelf(of: "/a/b/c") == ["/a", "/a/b", "/a/b/c"])
        #expect(RemotePath.ancestorsAndSelf(of: "a//b") == ["a", "a/b"])
    }
}
