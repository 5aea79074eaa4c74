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

    /// Writes ``SystemdUnit/files(_:scope:)`` to the unit directory, each through a temporary
    /// file and a rename (the service unit, which holds the command, comes on standard input;
    /// the socket and proxy units, which hold only paths and numbers, in the script), removes
    /// a socket or proxy unit an earlier lifecycle left, reloads systemd, and enables what
    /// starts at boot: the service unit of a `persistent` service, the socket of the others
    /// that have one.
    public func install() throws -> RemoteScript {
        let files = try SystemdUnit.files(service, scope: scope)
        let names = SystemdUnitNames(service)
        var text = RemoteShell.prologue + """
        umask 022
        dir=\(unitDirectory)
        unit=\(ShellQuote.quote(service.unitName))
        mkdir -p -- "$dir" || ferry_fail "cannot create $dir"
        cat > "$dir/.$unit.$$" && mv -f -T -- "$dir/.$unit.$$" "$dir/$unit" || { rm -f -- "$dir/.$unit.$$"; ferry_fail "cannot write $dir/$unit"; }

        """
        for file in files.dropFirst() {
            text += """
            companion=\(ShellQuote.quote(file.name))
            printf '%s' \(ShellQuote.quote(file.text)) > "$dir/.$companion.$$" && mv -f -T -- "$dir/.$companion.$$" "$dir/$companion" || { rm -f -- "$dir/.$companion.$$"; ferry_fail "cannot write $dir/$companion"; }

            """
        }
        for stale in [names.socket, names.proxy] where !files.contains(where: { $0.name == stale }) {
            text += """
            if [ -f "$dir/"\(ShellQuote.quote(stale)) ]; then
              \(systemctl("disable", "--now", "--", stale)) >/dev/null 2>&1 || true
              rm -f -- "$dir/"\(ShellQuote.quote(stale)) || ferry_fail "cannot remove $dir/"\(ShellQuote.quote(stale))
            fi

            """
        }
        text += systemctl("daemon-reload") + " || ferry_fail \"systemctl daemon-reload failed\"\n"
        if let boot = bootUnit {
            text += systemctl("enable", "--", boot) + " || ferry_fail \"cannot enable \(boot)\"\n"
        }
        if bootUnit != names.service {
            // A unit an earlier `persistent` release enabled must not start at boot any more.
            text += systemctl("disable", "--", names.service) + " >/dev/null 2>&1 || true\n"
        }
        text += "printf 'installed %s\\n' \"$dir/$unit\"\n"
        return RemoteScript(text: text, input: Data(files[0].text.utf8))
    }

    /// The unit enabled at boot: the service of a `persistent` service, the socket of a
    /// service that has one, none for the rest.
    private var bootUnit: String? {
        let names = SystemdUnitNames(service)
        if service.lifecycle == .persistent { return names.service }
        if service.lifecycle.socketProxy != nil || service.lifecycle.shutdownOn.contains(.pipeClosed) { return names.socket }
        return nil
    }

    /// The unit `start()` starts: the socket of an `on_demand` or piped `pipeline_bound`
    /// service (the service starts on the first connection or write), the proxy of an
    /// idle-stopped `transient` service (which starts the socket and the service now), else
    /// the service.
    private var startUnit: String {
        let names = SystemdUnitNames(service)
        switch service.lifecycle {
        case .onDemand: return names.socket
        case .transient(_, .some): return names.proxy
        case .pipelineBound(let triggers, _) where triggers.contains(.pipeClosed): return names.socket
        default: return names.service
        }
    }

    /// Stops and starts the service (``stop()`` then ``start()``).
    public func restart() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + stopCommands + systemctl("start", "--", startUnit) + "\n")
    }

    /// Starts the service the way its lifecycle says (see `startUnit`).
    public func start() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + systemctl("start", "--", startUnit) + "\n")
    }

    /// Stops the socket and proxy units the service has on the host (so no connection starts
    /// it again), then the service unit.
    public func stop() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + stopCommands)
    }

    /// Disables every unit of the service: nothing starts at boot any more.
    public func disable() -> RemoteScript {
        RemoteScript(text: RemoteShell.prologue + "dir=\(unitDirectory)\n" + companions(verb: "disable")
                     + systemctl("disable", "--", service.unitName) + "\n")
    }

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

    private var stopCommands: String {
        "dir=\(unitDirectory)\n" + companions(verb: "stop") + systemctl("stop", "--", service.unitName) + "\n"
    }

    /// `systemctl VERB` for each socket and proxy unit whose file is in the unit directory
    /// (whatever lifecycle installed it), socket first.
    private func companions(verb: String) -> String {
        let names = SystemdUnitNames(service)
        return [names.socket, names.proxy].map { name in
            "if [ -f \"$dir/\"\(ShellQuote.quote(name)) ]; then \(systemctl(verb, "--", name)) || exit 1; fi\n"
        }.joined()
    }

    private func systemctl(_ words: String...) -> String {
        ShellQuote.command(["systemctl", scope.systemctlOption] + words)
    }
}
