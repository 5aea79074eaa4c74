import FerryConfig
import Foundation

/// The Prometheus `file_sd` targets file (agent setting `targets_file`): ``ScrapeTargets``
/// written after a reconcile, atomically (a temporary file in the same directory, then a
/// rename, so Prometheus never reads half a file), mode 0644 (Prometheus runs as another user),
/// and only when the document changed, so Prometheus's file watcher fires on real changes.
public struct ScrapeTargetsFile: Sendable {
    /// Where the file is.
    public let path: String

    /// The file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Writes `targets` unless the file already holds exactly that document; whether it wrote.
    /// - Throws: ``ScrapeTargetsError`` naming the file; the previous file is then intact.
    @discardableResult
    public func write(_ targets: ScrapeTargets) async throws(ScrapeTargetsError) -> Bool {
        let path = path
        do {
            return try await BlockingWork.run { try Self.replace(path, with: targets.json) }
        } catch let error as ScrapeTargetsError {
            throw error
        } catch {
            throw ScrapeTargetsError(path: path, reason: "\(error)")
        }
    }

    /// Writes the targets of the run that produced `report`, read from the state directory of
    /// `request`: the config at the run's commit in the agent's clone (cut to the run's shard)
    /// and the releases `applied.json` records; whether the file changed.
    /// - Throws: ``ScrapeTargetsError`` when those cannot be read or the file cannot be written.
    @discardableResult
    public func write(after report: RunReport, request: ReconcileRequest) async throws(ScrapeTargetsError) -> Bool {
        let state = StateDirectory(root: URL(fileURLWithPath: request.settings.stateDirectory, isDirectory: true))
        guard let loaded = await ClonedConfiguration.load(state: state, trying: [report.revision.hex], ageIdentity: nil) else {
            throw ScrapeTargetsError(path: path, reason: "the config at \(report.revision.short) cannot be read from the agent's clone")
        }
        let applied: AppliedCommits
        do {
            applied = try state.appliedCommits.load()
        } catch {
            throw ScrapeTargetsError(path: path, reason: "what is deployed cannot be read: \(error)")
        }
        return try await write(ScrapeTargets(configuration: request.shard.applied(to: loaded.configuration), applied: applied))
    }

    /// Replaces the file at `path` with `document` unless it holds it already; whether it did.
    private static func replace(_ path: String, with document: Data) throws(ScrapeTargetsError) -> Bool {
        let url = URL(fileURLWithPath: path)
        // A file that cannot be read is written over: the write says what is wrong, if anything.
        if let current = try? AtomicFile.read(url), current == document { return false }
        do {
            try AtomicFile.write(document, to: url, mode: 0o644)
        } catch let error as StateError {
            throw ScrapeTargetsError(path: path, reason: error.message, hint: ScrapeTargetsError.writableHint)
        } catch {
            throw ScrapeTargetsError(path: path, reason: "\(error)", hint: ScrapeTargetsError.writableHint)
        }
        return true
    }
}

/// The targets file could not be written; the reconcile's deploys stand, the previous file is intact.
public struct ScrapeTargetsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The targets file.
    public let path: String
    /// What went wrong, for a person.
    public let reason: String
    /// What to do about it, if there is something to say.
    public let hint: String?

    /// The hint of a file that cannot be written.
    static let writableHint = "its directory must exist and be writable by the agent's user (setting targets_file, --targets-file, FERRY_TARGETS_FILE)"

    /// An error about the targets file at `path`.
    public init(path: String, reason: String, hint: String? = nil) {
        self.path = path
        self.reason = reason
        self.hint = hint
    }

    /// `cannot write the scrape targets file PATH: REASON (HINT)`.
    public var description: String {
        "cannot write the scrape targets file \(path): \(reason)" + (hint.map { " (\($0))" } ?? "")
    }
}
