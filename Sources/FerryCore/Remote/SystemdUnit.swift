/// The systemd units Ferry generates for a service with `manager: systemd`: the one source
/// of both `ferry render` and the deploy, so what `render` prints is what runs.
///
/// The service unit runs `/bin/sh -c COMMAND` in `<remote_dir>/current` (so a restart after a
/// switch runs the new release) with the environment of `.ferry/env`. By lifecycle:
/// - `persistent`: `Restart=always`;
/// - `transient`: `Restart=on-failure`, `RuntimeMaxSec=` from `max_lifetime`; with an idle
///   stop, the `on_demand` socket and proxy in front of it;
/// - `on_demand`: a `.socket` unit listening on `port` starts a `-proxy.service` running
///   `systemd-socket-proxyd --exit-idle-time=IDLE` to `127.0.0.1:backend_port`, which
///   requires the service unit (`StopWhenUnneeded=yes`, so it stops when the proxy exits);
/// - `pipeline_bound`: `Restart=no`, `KillSignal=` from the first signal of `shutdown_on`;
///   with `pipe_closed`, a `.socket` unit holds the FIFO `.ferry/pipeline` that starts the
///   service with it as standard input.
/// A declared `logging` output sets `StandardOutput=`/`StandardError=`.
public enum SystemdUnit {
    /// The service unit's text for `service` (the file named `service.unitName`).
    ///
    /// Throws `.invalidArgument` when a path or the command holds a control character
    /// other than newline or tab in the command (a unit file has no way to write one).
    public static func render(_ service: RemoteService, scope: SystemdScope) throws -> String {
        try files(service, scope: scope)[0].text
    }

    /// Every unit file of `service`, the service unit first.
    public static func files(_ service: RemoteService, scope: SystemdScope) throws -> [SystemdUnitFile] {
        let names = SystemdUnitNames(service)
        var files = [SystemdUnitFile(name: service.unitName, text: try serviceUnit(service, names: names, scope: scope))]
        if let proxy = service.lifecycle.socketProxy {
            files.append(SystemdUnitFile(name: names.socket, text: proxySocketUnit(service, proxy: proxy, names: names)))
            files.append(SystemdUnitFile(name: names.proxy, text: proxyServiceUnit(service, proxy: proxy, names: names)))
        } else if service.lifecycle.shutdownOn.contains(.pipeClosed) {
            files.append(SystemdUnitFile(name: names.socket, text: try pipelineSocketUnit(service)))
        }
        return files
    }

    private static func serviceUnit(_ service: RemoteService, names: SystemdUnitNames, scope: SystemdScope) throws -> String {
        let root = try unitValue(service.layout.root, what: "the remote directory")
        let proxy = service.lifecycle.socketProxy
        let pipe = service.lifecycle.shutdownOn.contains(.pipeClosed)
        var lines = [
            header(service),
            "[Unit]",
            "Description=Ferry service \(service.name)",
            "After=network-online.target",
            "Wants=network-online.target",
        ]
        if proxy != nil { lines.append("StopWhenUnneeded=yes") }
        lines += [
            "",
            "[Service]",
            "Type=simple",
            "WorkingDirectory=\(root)/current",
            "EnvironmentFile=-\(root)/.ferry/env",
        ]
        if let proxy { lines.append("Environment=PORT=\(proxy.backendPort)") }
        lines.append("ExecStart=/bin/sh -c \(try execArgument(service.command))")
        if let proxy { lines.append("ExecStartPost=/bin/sh -c \(try execArgument(waitForListener(port: proxy.backendPort)))") }
        switch service.lifecycle {
        case .persistent: lines += ["Restart=always", "RestartSec=1s"]
        case .transient: lines += ["Restart=on-failure", "RestartSec=1s"]
        case .onDemand, .pipelineBound: lines.append("Restart=no")
        }
        if let limit = service.lifecycle.maxLifetime {
            lines.append("RuntimeMaxSec=\(RemoteShell.seconds(limit))")
        }
        if let signal = service.lifecycle.shutdownOn.lazy.compactMap(\.signalName).first {
            lines.append("KillSignal=\(signal)")
        }
        if pipe { lines.append("StandardInput=socket") }
        switch service.logTarget {
        case .journal?: lines += ["StandardOutput=journal", "StandardError=journal"]
        case .file(let path)?:
            let file = try unitValue(path, what: "the log file")
            lines += ["StandardOutput=append:\(file)", "StandardError=append:\(file)"]
        case nil:
            // With standard input from the FIFO, output would go to it too unless told otherwise.
            if pipe { lines += ["StandardOutput=journal", "StandardError=journal"] }
        }
        lines += ["", "[Install]", "WantedBy=\(scope == .system ? "multi-user.target" : "default.target")"]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func proxySocketUnit(_ service: RemoteService, proxy: SocketProxy, names: SystemdUnitNames) -> String {
        [
            header(service),
            "[Unit]",
            "Description=Ferry service \(service.name): socket on port \(proxy.listenPort)",
            "",
            "[Socket]",
            "ListenStream=\(proxy.listenPort)",
            "Service=\(names.proxy)",
            "",
            "[Install]",
            "WantedBy=sockets.target",
        ].joined(separator: "\n") + "\n"
    }

    private static func proxyServiceUnit(_ service: RemoteService, proxy: SocketProxy, names: SystemdUnitNames) -> String {
        [
            header(service),
            "[Unit]",
            "Description=Ferry service \(service.name): proxy to port \(proxy.backendPort), stopped after \(RemoteShell.seconds(proxy.idleTimeout))s idle",
            "Requires=\(service.unitName) \(names.socket)",
            "After=\(service.unitName) \(names.socket)",
            "",
            "[Service]",
            "Type=notify",
            "Sockets=\(names.socket)",
            "ExecStart=\(socketProxyPath) --exit-idle-time=\(RemoteShell.seconds(proxy.idleTimeout))s 127.0.0.1:\(proxy.backendPort)",
        ].joined(separator: "\n") + "\n"
    }

    private static func pipelineSocketUnit(_ service: RemoteService) throws -> String {
        let root = try unitValue(service.layout.root, what: "the remote directory")
        return [
            header(service),
            "[Unit]",
            "Description=Ferry service \(service.name): pipeline input",
            "",
            "[Socket]",
            "ListenFIFO=\(root)/.ferry/pipeline",
            "SocketMode=0600",
            "Service=\(service.unitName)",
            "",
            "[Install]",
            "WantedBy=sockets.target",
        ].joined(separator: "\n") + "\n"
    }

    /// Where Debian, Ubuntu, Fedora, RHEL and Arch install the proxy (`/lib` is `/usr/lib` on the merged ones).
    static let socketProxyPath = "/lib/systemd/systemd-socket-proxyd"

    private static func header(_ service: RemoteService) -> String {
        "# Generated by Ferry for service \(service.name); a deploy overwrites changes made here."
    }

    /// A shell loop that waits (up to 30 s) until something listens on TCP `port`, read from
    /// `/proc/net/tcp{,6}` so the host needs no `ss`: the proxy's first connection then finds
    /// the service ready.
    private static func waitForListener(port: Int) -> String {
        let hex = String(port, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return "i=0; while [ \"$i\" -lt 300 ]; do grep -Eq ':\(padded) [0-9A-F]+:0000 0A' /proc/net/tcp /proc/net/tcp6 2>/dev/null && exit 0; sleep 0.1; i=$((i + 1)); done; exit 1"
    }

    /// `command` as one double-quoted argument of a systemd command line: backslash, quote
    /// and control characters C-escaped, `$` doubled (no variable expansion), `%` doubled
    /// (no specifier expansion).
    static func execArgument(_ command: String) throws -> String {
        var quoted = "\""
        for scalar in command.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "$": quoted += "$$"
            case "%": quoted += "%%"
            case "\0": throw RemoteError(.invalidArgument, "the command contains a NUL byte")
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    quoted += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    /// A path as a unit file setting's value: `%` doubled; control characters refused.
    private static func unitValue(_ path: String, what: String) throws -> String {
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw RemoteError(.invalidArgument, "\(what) \"\(path)\" contains a control character, which a systemd unit cannot hold; use manager: process or another directory")
        }
        return path.replacingOccurrences(of: "%", with: "%%")
    }
}

/// One generated unit file: its name (`ferry-web.socket`) and text.
public struct SystemdUnitFile: Sendable, Equatable {
    /// The file name in the unit directory.
    public var name: String
    /// The file's text.
    public var text: String
}

/// The names of a service's units: the service unit, and the socket and proxy units an
/// `on_demand`, idle-stopped `transient` or piped `pipeline_bound` service adds.
public struct SystemdUnitNames: Sendable, Equatable {
    /// The service unit (`ferry-web.service`).
    public var service: String
    /// The socket unit (`ferry-web.socket`).
    public var socket: String
    /// The proxy unit (`ferry-web-proxy.service`).
    public var proxy: String

    /// The names for `service`, derived from its unit name.
    public init(_ service: RemoteService) {
        let base = String(service.unitName.dropLast(".service".count))
        self.service = service.unitName
        socket = base + ".socket"
        proxy = base + "-proxy.service"
    }
}
