import FerrySSH
import Foundation

/// The service's environment on the host, `.ferry/env` (mode 0600), in the syntax its
/// supervisor reads: shell `export` lines for `manager: process` (sourced before the
/// command starts), systemd's `EnvironmentFile=` syntax for `manager: systemd`.
///
/// The values are secrets: they travel on the script's standard input, never in its text.
public enum EnvironmentFile {
    /// The file's bytes for `variables` under `manager`, sorted by name.
    /// Throws `.invalidArgument` for a name that is not `[A-Za-z_][A-Za-z0-9_]*` or a value with a NUL byte.
    public static func render(_ variables: [String: String], for manager: ServiceManager) throws -> Data {
        var text = ""
        for name in variables.keys.sorted() {
            let value = variables[name] ?? ""
            guard isVariableName(name) else {
                throw RemoteError(.invalidArgument, "\"\(name)\" is not an environment variable name")
            }
            guard !value.utf8.contains(0) else {
                throw RemoteError(.invalidArgument, "the value of \(name) contains a NUL byte")
            }
            switch manager {
            case .process: text += "export \(name)=\(ShellQuote.quote(value))\n"
            case .systemd: text += "\(name)=\(systemdQuoted(value))\n"
            }
        }
        return Data(text.utf8)
    }

    /// Writes `variables` as the environment of `service`: sent on standard input,
    /// written with umask 077 to a temporary file, renamed over `.ferry/env`.
    public static func installScript(for service: RemoteService, variables: [String: String]) throws -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + #"""
        umask 077
        f=\#(ShellQuote.quote(service.layout.stateDirectory))
        mkdir -p -- "$f" || ferry_fail "cannot create $f"
        cat > "$f/.env.$$" && chmod 600 "$f/.env.$$" && mv -f -T -- "$f/.env.$$" "$f/env" || { rm -f -- "$f/.env.$$"; ferry_fail "cannot write $f/env"; }
        printf 'environment %s\n' "$f/env"

        """#, input: try render(variables, for: service.manager))
    }

    /// `value` in double quotes as systemd reads them: `\`, `"`, `` ` `` and `$` escaped,
    /// newlines kept (systemd allows them inside quotes). Read scalar by scalar, so a quote
    /// followed by a combining mark is escaped too.
    static func systemdQuoted(_ value: String) -> String {
        var quoted = "\""
        for scalar in value.unicodeScalars {
            if "\\\"`$".unicodeScalars.contains(scalar) { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}
