@testable import FerryGit
import Testing

@Suite struct SSHRemoteURLTests {
    @Test(arguments: [
        ("ssh://deploy@git.example:2222/srv/git/config.git", SSHRemoteURL(user: "deploy", host: "git.example", port: 2222, path: "/srv/git/config.git")),
        ("ssh://git.example/srv/config.git", SSHRemoteURL(user: nil, host: "git.example", port: 22, path: "/srv/config.git")),
        ("SSH://git.example/~/config.git", SSHRemoteURL(user: nil, host: "git.example", port: 22, path: "~/config.git")),
        ("git+ssh://u@[::1]:2200/r.git", SSHRemoteURL(user: "u", host: "::1", port: 2200, path: "/r.git")),
        ("ssh+git://10.213.0.5/r%20x.git", SSHRemoteURL(user: nil, host: "10.213.0.5", port: 22, path: "/r x.git")),
        ("git@github.example:team/config.git", SSHRemoteURL(user: "git", host: "github.example", port: 22, path: "team/config.git")),
        ("host:/abs/path.git", SSHRemoteURL(user: nil, host: "host", port: 22, path: "/abs/path.git")),
        ("git@[fe80::1]:r.git", SSHRemoteURL(user: "git", host: "fe80::1", port: 22, path: "r.git")),
    ])
    func parsesSSHAndScpLikeURLs(url: String, expected: SSHRemoteURL) throws {
        #expect(try SSHRemoteURL(parsing: url) == expected)
    }

    @Test(arguments: [
        "ssh://host", "ssh:///path", "ssh://host:99999/p", "ssh://host:x/p", "file:///srv/x.git",
        "/srv/x.git", "relative/dir", "host:", "@host:p",
    ])
    func rejectsWhatIsNotAnSSHRemote(url: String) {
        let error = #expect(throws: GitError.self) { try SSHRemoteURL(parsing: url) }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func theUploadPackCommandQuotesHostilePaths() throws {
        let remote = SSHRemoteURL(user: nil, host: "h", port: 22, path: "/srv/it's; rm -rf / $(x)`y`")
        #expect(remote.uploadPackCommand == #"git-upload-pack '/srv/it'\''s; rm -rf / $(x)`y`'"#)
    }
}
