/// One service as the remote scripts need it: where it lives on a host and how it runs.
///
/// The reconcile engine maps the config model onto this; the scripts take nothing else.
public struct RemoteService: Sendable, Equatable {
    /// The service's name (`[a-z0-9][a-z0-9_.-]*`).
    public let name: String
    /// Where its files live on the host.
    public let layout: RemoteLayout
    /// The command that starts it, run by `/bin/sh -c` in the current release directory.
    public let command: String
    /// What supervises its process.
    public let manager: ServiceManager
    /// When its process starts and stops.
    public let lifecycle: ServiceLifecycle
    /// The systemd unit's file name (`ferry-<name>.service` unless given).
    public let unitName: String
    /// Whether the host probe may skip hashing the running release when its ``QuickCheck``
    /// listing (size, modification time, mode of every file) is the one recorded at deploy
    /// (`change_detection: mtime`).
    public var quickCheck = false
    /// Whether `manager` is a guess the host corrects (`manager: auto`): the host probe reads the
    /// service's status through systemd where it runs, from the pid file elsewhere.
    public var managerChosenOnHost = false
    /// Where its output goes when its `logging` is declared; nil leaves the supervisor's default.
    public var logTarget: ServiceLogTarget?

    /// A service; throws `.invalidArgument` for a name, directory or unit name that cannot reach a host safely.
    public init(name: String, remoteDirectory: String, command: String, manager: ServiceManager = .process,
                lifecycle: ServiceLifecycle = .persistent, unitName: String? = nil) throws {
        guard Self.isServiceName(name) else {
            throw RemoteError(.invalidArgument, "service name \"\(name)\" must match [a-z0-9][a-z0-9_.-]*")
        }
        let unit = unitName ?? "ferry-\(name).service"
        guard Self.isUnitName(unit) else {
            throw RemoteError(.invalidArgument, "unit name \"\(unit)\" must be letters, digits and :_.@- ending in .service")
        }
        self.name = name
        self.layout = try RemoteLayout(remoteDirectory: remoteDirectory)
        self.command = command
        self.manager = manager
        self.lifecycle = lifecycle
        self.unitName = unit
    }

    private static func isServiceName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLowerAlphanumeric(first) else { return false }
        return name.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isUnitName(_ name: String) -> Bool {
        guard name.hasSuffix(".service"), name.utf8.count > ".service".utf8.count, name.utf8.count <= 255 else { return false }
        return name.utf8.allSatisfy { byte in
            isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || ":_.@-".utf8.contains(byte)
        }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// What supervises a service's process on a host.
public enum ServiceManager: Sendable, Equatable {
    /// A plain process started with `setsid` (hang-ups ignored), tracked by `.ferry/pid` (hosts without systemd).
    case process
    /// A generated systemd unit, installed as a system or a user unit.
    case systemd(SystemdScope)
}

/// Which systemd instance owns a unit.
public enum SystemdScope: Sendable, Equatable {
    /// The system manager: `/etc/systemd/system`, `systemctl`.
    case system
    /// The login user's manager: `~/.config/systemd/user`, `systemctl --user`.
    case user

    /// The `systemctl` option selecting this instance.
    var systemctlOption: String {
        switch self {
        case .system: "--system"
        case .user: "--user"
        }
    }
}
