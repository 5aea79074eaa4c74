import FerrySSH
import Foundation

/// A POSIX `sh` script to run on a host in one SSH round trip, with the bytes it reads
/// on standard input.
///
/// Scripts are plain values built by pure functions, so tests compare them and run them
/// with `/bin/sh -c` on a local directory standing in for a host. Every word that comes
/// from data is quoted by ``ShellQuote/quote(_:)``; secrets and manifests travel in
/// ``input``, never in the text, which a host may show in its process list.
public struct RemoteScript: Sendable, Equatable, CustomStringConvertible {
    /// The script, for `/bin/sh`.
    public let text: String
    /// What the script reads on standard input, if anything.
    public let input: Data?

    /// A script and its standard input.
    public init(text: String, input: Data? = nil) {
        self.text = text
        self.input = input
    }

    /// What to pass to `SSHConnection.run(_:stdin:timeout:)`: the script as one quoted
    /// word for `/bin/sh -c`, so it runs in a POSIX shell whatever the user's login shell is.
    public var commandLine: String { "exec /bin/sh -c " + ShellQuote.quote(text) }

    /// The script text (never the input, which may hold secrets).
    public var description: String { text }
}
