import Foundation

/// `git http-backend` behind lighttpd over HTTPS, on 127.0.0.1, as a private Git hosting
/// server: a certificate for `localhost` issued by a CA the server makes (with openssl) and
/// HTTP basic authentication with one user and token (lighttpd's mod_auth).
///
/// Reached as `https://localhost:PORT/git/NAME.git`; the system does not trust the CA, so a
/// client must be given ``caFile``.
public final class LighttpdGitServer: @unchecked Sendable {
    /// The server's working directory: keys, certificates, repositories, configuration, logs.
    public let directory: URL
    /// The port lighttpd listens on (127.0.0.1).
    public let port: Int
    /// The user name the server accepts.
    public let username = "deploy"
    /// The token the server accepts for ``username``.
    public let token: String
    private let process: SpawnedProcess

    /// The CA certificate (PEM) that issued the server's certificate.
    public var caFile: URL { directory.appendingPathComponent("ca.crt") }

    /// Makes the CA and certificate and starts lighttpd.
    public init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-https-\(UUID().uuidString.prefix(8))")
        self.directory = directory
        token = "tok-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("repositories"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("www"), withIntermediateDirectories: true)
        try Self.makeCertificates(in: directory)
        try Data("\(username):\(token)\n".utf8).write(to: directory.appendingPathComponent("users"))
        (process, port) = try LoopbackPort.startListening { port in
            let configuration = directory.appendingPathComponent("lighttpd-\(port).conf")
            try Self.configuration(directory: directory, port: port).write(to: configuration, atomically: true, encoding: .utf8)
            return try SpawnedProcess([try HarnessCommand.resolve("lighttpd"), "-D", "-f", configuration.path],
                                      output: .file(directory.appendingPathComponent("lighttpd.log").path))
        }
    }

    deinit { stop() }

    /// Creates the bare repository `name.git` with `branch` as its `HEAD`; returns its path,
    /// which a test pushes to directly.
    @discardableResult
    public func createRepository(_ name: String, branch: String = "main") throws -> URL {
        let path = directory.appendingPathComponent("repositories/\(name).git")
        try HarnessCommand.runChecked(["git", "init", "-q", "--bare", "-b", branch, path.path])
        return path
    }

    /// `https://localhost:PORT/git/NAME.git`.
    public func url(_ name: String) -> String { "https://localhost:\(port)/git/\(name).git" }

    /// Stops lighttpd (by pid) and removes its directory.
    public func stop() {
        process.kill()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func makeCertificates(in directory: URL) throws {
        func openssl(_ arguments: [String]) throws {
            try HarnessCommand.runChecked(["openssl"] + arguments, currentDirectory: directory)
        }
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                     "-subj", "/CN=Ferry Test CA"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"])
        try Data("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8)
            .write(to: directory.appendingPathComponent("server.ext"))
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "server.crt", "-days", "2", "-extfile", "server.ext"])
    }

    private static func configuration(directory: URL, port: Int) -> String {
        let root = directory.path
        return """
            server.document-root = "\(root)/www"
            server.bind = "127.0.0.1"
            server.port = \(port)
            server.modules = ("mod_openssl", "mod_auth", "mod_authn_file", "mod_alias", "mod_setenv", "mod_cgi")
            server.errorlog = "\(root)/error.log"
            ssl.engine = "enable"
            ssl.pemfile = "\(root)/server.crt"
            ssl.privkey = "\(root)/server.key"
            alias.url = ("/git" => "/usr/lib/git-core/git-http-backend")
            $HTTP["url"] =~ "^/git" {
                cgi.assign = ("" => "")
                setenv.add-environment = ("GIT_PROJECT_ROOT" => "\(root)/repositories", "GIT_HTTP_EXPORT_ALL" => "")
                auth.backend = "plain"
                auth.backend.plain.userfile = "\(root)/users"
                auth.require = ("" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))
            }

            """
    }
}
