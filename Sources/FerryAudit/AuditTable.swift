/// Audit records as an aligned text table for people:
/// time, kind, service, host, from→to, outcome, error.
public enum AuditTable {
    /// The column titles.
    public static let headers = ["TIME", "KIND", "SERVICE", "HOST", "REVISION", "OUTCOME", "ERROR"]

    /// The table for `records`, one line per record after the header, each ending in a newline.
    public static func render(_ records: [AuditRecord]) -> String {
        let rows = [headers] + records.map(row)
        let widths = (0..<headers.count - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { cells in
            let padded = zip(cells, widths).map { cell, width in cell + String(repeating: " ", count: width - cell.count) }
            let line = (padded + [cells[cells.count - 1]]).joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
        }.joined()
    }

    /// One record's cells; absent values are `-`.
    static func row(_ record: AuditRecord) -> [String] {
        [
            RFC3339.secondsString(from: record.time),
            record.kind.rawValue,
            record.service ?? "-",
            record.host ?? "-",
            revisions(from: record.fromRevision, to: record.toRevision),
            record.outcome?.rawValue ?? "-",
            record.error.map(singleLine) ?? "",
        ]
    }

    /// `from→to` with commit ids shortened to 10 characters.
    static func revisions(from: String?, to: String?) -> String {
        switch (from.map(short), to.map(short)) {
        case let (from?, to?): from == to ? to : "\(from)→\(to)"
        case let (nil, to?): "→\(to)"
        case let (from?, nil): "\(from)→"
        case (nil, nil): "-"
        }
    }

    private static func short(_ revision: String) -> String {
        let isCommitID = revision.count > 12 && revision.allSatisfy(\.isHexDigit)
        return isCommitID ? String(revision.prefix(10)) : revision
    }

    private static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
