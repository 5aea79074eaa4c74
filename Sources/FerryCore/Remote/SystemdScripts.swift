import FerrySSH
import Foundation

/// Control of a service with `manager: systemd`: installing its unit and driving it with
/// `systemctl` (`--user` for user units, which need the user's systemd instance, e.g.
/// with lingering enabled).
public struct SystemdScripts: Sendable {
    /// The service.
    public let service: RemoteService
    /// Which systemd instance owns its unit.
    public let scope: SystemdScope

    /// The scripts for `service`; `.invalidArgument` unless it has `manager: systemd`.
    public init(service: RemoteService) throws {
        guard case .systemd(let scope) = service.manager else {
            throw RemoteError(.invalidArgument, "service \(service.name) is not managed by systemd")
        }
        self.service = service
        self.scope = scope
    }

    /// The directory the unit file goes to, as a shell expression: `/etc/systemd/system`,
    /// or `${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user` evaluated on the host.
    public var unitDirectory: String {
        switch scope {
        case .system: ShellQuote.quote("/etc/systemd/system")
        case .user: "\"${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user\""
        }
    }

    /// Writes ``SystemdUnit/render(_:scope:)``'s text (sent on standard input) to the unit
    /// directory through a temporary file and a rename, reloads systemd, and enables the
    /// unit when the service is `persistent` (started at boot).
    public func install() throws -> RemoteScript {
        var text = RemoteShell.prologue + """
        umask 022
        dir=\(unitDirectory)
        unit=\(ShellQuote.quote(service.unitName))
        mkdir -p -- "$dir" || ferry_fail "cannot create $dir"
        cat > "$dir/.$unit.$$" && mv -f -T -- "$dir/.$unit.$$" "$dir/$unit" || { rm -f -- "$dir/.$unit.$$"; ferry_fail "cannot write $dir/$unit"; }
        \(systemctl("daemon-reload")) || ferry_fail "systemctl daemon-reload failed"

        """
        if service.lifecycle == .persistent {
            text += systemctl("enable", "--", service.unitName) + " || ferry_fail \"cannot enable $unit\"\n"
        }
        text += "printf 'installed %s\\n' \"$dir/$unit\"\n"
        return RemoteScript(text: text, input: Data(try SystemdUnit.render(service, scope: scope).utf8))
    }

    /// `systemctl restart UNIT`.
    public func restart() -> RemoteScript { command("restart") }

    /// `systemctl start UNIT`.
    public func start() -> RemoteScript { command("start") }

    /// `systemctl stop UNIT`.
    public func stop() -> RemoteScript { command("stop") }

    /// `systemctl disable UNIT`: not started at boot any more.
    public func disable() -> RemoteScript { command("disable") }

    /// Prints what `systemctl is-active UNIT` says, or `unknown` without `systemctl`;
    /// read with ``parseIsActive(_:)``.
    public func isActive() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + """
        if command -v systemctl >/dev/null 2>&1; then
          \(systemctl("is-active", "--", service.unitName)) || true
        else
          printf 'unknown\\n'
        fi

        """)
    }

    /// The status ``isActive()`` printed.
    public static func parseIsActive(_ output: Data) -> ServiceStatus {
        let state = String(decoding: output, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return state == "unknown" ? .unknown("systemctl not found") : .systemd(state)
    }

    private func command(_ verb: String) -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + systemctl(verb, "--", service.unitName) + "\n")
    }

    private func systemctl(_ words: String...) -> String {
        ShellQuote.command(["systemctl", scope.systemctlOption] + words)
    }
}
