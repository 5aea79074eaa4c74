import FerryAudit
import Foundation

extension StateDirectory {
    /// `audit.key`: the key of the keyed audit chain (``AuditKey``), 0600.
    public var auditKeyURL: URL { root.appendingPathComponent("audit.key") }

    /// The audit key, created on first use by the commands that hold the state lock
    /// (reconcile and the operator's commands); read only, when present, by the others
    /// (`ferry drift`), which never create files in the state directory.
    /// - Throws: ``AuditError`` (`keyUnusable`).
    public func auditKey(creating: Bool) throws -> AuditKey? {
        if creating { return try AuditKey.loadOrCreate(at: auditKeyURL) }
        guard FileManager.default.fileExists(atPath: auditKeyURL.path) else { return nil }
        return try AuditKey.load(from: auditKeyURL)
    }
}
