import Foundation

/// The host keys recorded on first use while libgit2 fetched the config repository (Ferry's
/// SSH transport runs on libgit2's thread), kept for the run's audit log and report.
final class HostKeyAcceptanceLog: @unchecked Sendable {
    private let lock = NSLock()
    private var accepted: [HostKeyAcceptance] = []

    /// Adds one acceptance.
    func record(_ acceptance: HostKeyAcceptance) {
        lock.withLock { accepted.append(acceptance) }
    }

    /// Everything recorded, in order.
    var all: [HostKeyAcceptance] { lock.withLock { accepted } }
}
