/// An aligned text table for people: columns padded to their widest cell, two spaces apart,
/// the last column left as is; every line ends in a newline.
enum TextTable {
    static func render(headers: [String], rows: [[String]]) -> String {
        let all = [headers] + rows.map { $0.map(singleLine) }
        let widths = (0..<headers.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            let padded = cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            return String(padded.joined(separator: "  ").reversed().drop { $0 == " " }.reversed()) + "\n"
        }.joined()
    }

    /// `text` on one line: a cell never breaks the table.
    static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
