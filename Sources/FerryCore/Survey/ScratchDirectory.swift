import Foundation

/// A private temporary directory (mode 0700) for a survey's clone of the config repository,
/// removed with everything in it when the survey ends.
struct ScratchDirectory: Sendable {
    /// The directory.
    let url: URL

    /// Creates a new, uniquely named directory under the system's temporary directory.
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-survey-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ReconcileError(.configRepository, "cannot create a temporary directory for the config repository at \(url.path): \(error)",
                                 hint: "set TMPDIR to a writable directory")
        }
    }

    /// Removes the directory and everything in it. A failure leaves only a private directory
    /// under the temporary directory, which the system cleans up; the survey's result stands.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
