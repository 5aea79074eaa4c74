import Foundation

/// One of the 2,048 network slots the harness may use: a /31 inside 10.213.0.0/20,
/// a network namespace and a veth pair, all named after the slot number. Slots are taken
/// lowest first, so a fleet of up to 128 hosts stays inside 10.213.0.0/24.
///
/// A slot is held with `flock` on a file under `/run/ferry-testhosts`, so parallel
/// test processes never share one, and a slot left behind by a killed process is
/// cleaned (its processes killed, its namespace and veth removed) before reuse.
final class HostSlot: @unchecked Sendable {
    /// The harness's only network, 10.213.0.0/20: addresses outside it are never assigned or touched.
    static let network = "10.213"
    /// The third octets of the network (a /20).
    static let thirdOctets = 0..<16
    /// Enough for the 500-host scale benchmark (scripts/bench-scale.sh).
    static let count = 2048
    static let lockDirectory = "/run/ferry-testhosts"

    let index: Int
    private let lockDescriptor: Int32

    private init(index: Int, lockDescriptor: Int32) {
        self.index = index
        self.lockDescriptor = lockDescriptor
    }

    deinit { close(lockDescriptor) }

    /// The namespace name, e.g. `ferry-s7`.
    var namespace: String { "ferry-s\(index)" }
    /// The veth end that stays in the test process's namespace.
    var outerLink: String { "fs\(index)a" }
    /// The veth end inside the host's namespace.
    var innerLink: String { "fs\(index)b" }
    /// The test process's side of the /31.
    var outerAddress: String { Self.address(2 * index) }
    /// The host's address, reachable from the test process.
    var hostAddress: String { Self.address(2 * index + 1) }

    /// The address `offset` places into the network.
    private static func address(_ offset: Int) -> String {
        "\(network).\(thirdOctets.lowerBound + offset / 256).\(offset % 256)"
    }

    /// Takes the first free slot, cleaning whatever a dead holder left in it.
    static func acquire() throws -> HostSlot {
        try FileManager.default.createDirectory(atPath: lockDirectory, withIntermediateDirectories: true)
        for index in 0..<count {
            let descriptor = open("\(lockDirectory)/slot-\(index).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw HarnessError("cannot open the slot lock in \(lockDirectory): errno \(errno)") }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                let slot = HostSlot(index: index, lockDescriptor: descriptor)
                slot.removeLeftovers()
                return slot
            }
            close(descriptor)
        }
        throw HarnessError("all \(count) test host slots are in use")
    }

    /// Kills every process in the slot's namespace and deletes the namespace and veth, if present.
    func removeLeftovers() {
        if let pids = try? HarnessCommand.run(["ip", "netns", "pids", namespace]), pids.status == 0 {
            for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) {
                kill(pid, SIGKILL)
            }
        }
        _ = try? HarnessCommand.run(["ip", "netns", "delete", namespace])
        _ = try? HarnessCommand.run(["ip", "link", "delete", outerLink])
    }

    /// Creates the namespace with its loopback up and the veth pair addressed as a /31.
    func createNetwork() throws {
        precondition(Self.isHarnessAddress(hostAddress) && Self.isHarnessAddress(outerAddress))
        try HarnessCommand.runChecked(["ip", "netns", "add", namespace])
        try HarnessCommand.runChecked(["ip", "link", "add", outerLink, "type", "veth", "peer", "name", innerLink, "netns", namespace])
        try HarnessCommand.runChecked(["ip", "addr", "add", "\(outerAddress)/31", "dev", outerLink])
        try HarnessCommand.runChecked(["ip", "link", "set", outerLink, "up"])
        try HarnessCommand.runChecked(["ip", "-n", namespace, "addr", "add", "\(hostAddress)/31", "dev", innerLink])
        try HarnessCommand.runChecked(["ip", "-n", namespace, "link", "set", innerLink, "up"])
        try HarnessCommand.runChecked(["ip", "-n", namespace, "link", "set", "lo", "up"])
    }

    /// True only for addresses of the harness's own /20.
    static func isHarnessAddress(_ address: String) -> Bool {
        let parts = address.split(separator: ".")
        return parts.count == 4 && parts.prefix(2).joined(separator: ".") == network
            && Int(parts[2]).map(thirdOctets.contains) == true && Int(parts[3]).map { (0...255).contains($0) } == true
    }
}
