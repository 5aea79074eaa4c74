import FerryCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The shared secret Git webhooks are checked with. Never printed: its description is a
/// placeholder, so it cannot reach a log or an error message by accident.
public struct WebhookSecret: Sendable, CustomStringConvertible {
    /// The secret's bytes.
    let bytes: [UInt8]

    /// A secret; empty is refused by ``load(file:environment:)``.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { "<webhook secret>" }

    /// The variable that may hold the secret itself.
    public static let environmentVariable = "FERRY_WEBHOOK_SECRET"

    /// The secret from `file` (the agent setting `webhook_secret_file`: mode 0600 or stricter,
    /// owned by the agent's user; one trailing newline is dropped) or from
    /// `FERRY_WEBHOOK_SECRET`; nil when neither is set (the webhook receiver stays off).
    /// - Throws: ``DaemonError`` when both are set, the file is unsafe or unreadable, or the secret is empty.
    public static func load(file: String?, environment: [String: String]) throws(DaemonError) -> WebhookSecret? {
        let fromEnvironment = environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (file, fromEnvironment) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw DaemonError("both webhook_secret_file and \(environmentVariable) are set", hint: "keep one of them")
        case (nil, let text?):
            return WebhookSecret(Array(text.utf8))
        case (let path?, nil):
            return try read(path)
        }
    }

    private static func read(_ path: String) throws(DaemonError) -> WebhookSecret {
        do {
            try PrivatePath.check(path, what: "the webhook secret file")
        } catch {
            throw DaemonError(error.problem, hint: error.fix)
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DaemonError("cannot read the webhook secret file \(path): \(String(cString: strerror(errno)))",
                              hint: "check webhook_secret_file (--webhook-secret-file, FERRY_WEBHOOK_SECRET_FILE)")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw DaemonError("the webhook secret file \(path) is readable by others (mode \(String(mode, radix: 8)))", hint: "chmod 600 \(path)")
        }
        guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
            throw DaemonError("cannot read the webhook secret file \(path)", hint: "check that the agent's user may read it")
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw DaemonError("the webhook secret file \(path) is empty", hint: "write the secret the Git server signs with into it")
        }
        return WebhookSecret(bytes)
    }
}
