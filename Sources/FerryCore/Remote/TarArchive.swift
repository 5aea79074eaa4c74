import Foundation

/// A POSIX tar stream (ustar, with pax extended headers where ustar's fields are too small),
/// written in process: the bytes that `tar -x` on a host reads to create many files at the
/// cost of one command.
///
/// Entries are regular files (bytes and permission bits), directories and symbolic links.
/// A path longer than ustar's 100 bytes, a link target longer than 100 bytes, or a file of
/// 8 GiB or more gets a pax `x` header carrying the exact value, so any name a release may
/// hold (spaces, newlines, combining marks, long paths) arrives byte for byte. Owner and
/// group are 0/`root` in the stream; the deploy extracts with `--no-same-owner`, so files
/// belong to the SSH user.
public struct TarArchive: Sendable {
    /// The stream written so far (without the end-of-archive blocks).
    private var bytes = Data()
    /// The modification time every entry carries, in seconds since 1970.
    private let modificationTime: Int

    /// An empty archive whose entries carry `modificationTime`, with room for `capacity` bytes
    /// before it grows (``estimatedSize(ofFiles:)`` of what it will hold).
    public init(modificationTime: Date = Date(), capacity: Int = 0) {
        self.modificationTime = max(0, Int(modificationTime.timeIntervalSince1970))
        bytes.reserveCapacity(capacity)
    }

    /// The bytes an archive of regular files of `sizes` takes at least: a header block per
    /// file and its contents padded to whole blocks, plus the end-of-archive blocks.
    public static func estimatedSize<Sizes: Sequence>(ofFiles sizes: Sizes) -> Int where Sizes.Element == Int {
        sizes.reduce(2 * blockSize) { $0 + blockSize + ($1 + blockSize - 1) / blockSize * blockSize }
    }

    /// Adds a regular file at `path` (relative, without a leading `/`) with `contents` and permission bits `mode`.
    public mutating func addFile(_ path: String, contents: Data, mode: UInt32) {
        appendEntry(path: path, type: UInt8(ascii: "0"), mode: mode, size: contents.count, linkTarget: "")
        bytes.append(contents)
        padToBlock()
    }

    /// Adds a directory at `path` with permission bits `mode`.
    public mutating func addDirectory(_ path: String, mode: UInt32 = 0o755) {
        appendEntry(path: path, type: UInt8(ascii: "5"), mode: mode, size: 0, linkTarget: "")
    }

    /// Adds a symbolic link at `path` pointing at `target` (the link's text, as is).
    public mutating func addSymlink(_ path: String, target: String) {
        appendEntry(path: path, type: UInt8(ascii: "2"), mode: 0o777, size: 0, linkTarget: target)
    }

    /// The finished stream: every entry, then the two zero blocks that end an archive; handed
    /// over without copying what was written (the archive is done with afterwards).
    public consuming func finish() -> Data {
        bytes.append(contentsOf: Self.endOfArchive)
        return bytes
    }

    private static let endOfArchive = [UInt8](repeating: 0, count: 2 * blockSize)

    static let blockSize = 512
    /// ustar's octal size field holds 11 digits: files of 8 GiB and more need a pax `size` record.
    private static let largestUstarSize = 0o77777777777

    private mutating func appendEntry(path: String, type: UInt8, mode: UInt32, size: Int, linkTarget: String) {
        let name = Array(path.utf8), link = Array(linkTarget.utf8)
        var records: [(String, [UInt8])] = []
        if name.count > 100 { records.append(("path", name)) }
        if link.count > 100 { records.append(("linkpath", link)) }
        if size > Self.largestUstarSize { records.append(("size", Array(String(size).utf8))) }
        if !records.isEmpty {
            let body = records.reduce(into: [UInt8]()) { $0 += Self.paxRecord($1.0, $1.1) }
            bytes.append(Self.header(name: Array("PaxHeaders/entry".utf8), type: UInt8(ascii: "x"), mode: 0o644,
                                     size: body.count, linkTarget: [], modificationTime: modificationTime))
            bytes.append(contentsOf: body)
            padToBlock()
        }
        bytes.append(Self.header(name: Array(name.prefix(100)), type: type, mode: mode, size: min(size, Self.largestUstarSize),
                                 linkTarget: Array(link.prefix(100)), modificationTime: modificationTime))
    }

    private mutating func padToBlock() {
        let remainder = bytes.count % Self.blockSize
        if remainder != 0 { bytes.append(contentsOf: Self.endOfArchive[..<(Self.blockSize - remainder)]) }
    }

    /// `LENGTH KEY=VALUE\n`, where LENGTH counts the whole record, its own digits included.
    static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let rest = 1 + key.utf8.count + 1 + value.count + 1
        var length = rest + String(rest).count
        if String(length).count != String(rest).count { length = rest + String(length).count }
        return Array("\(length) \(key)=".utf8) + value + [UInt8(ascii: "\n")]
    }

    /// One 512-byte ustar header.
    static func header(name: [UInt8], type: UInt8, mode: UInt32, size: Int, linkTarget: [UInt8], modificationTime: Int) -> Data {
        var block = headerTemplate
        block.withUnsafeMutableBufferPointer { block in
            func put(_ field: [UInt8], at offset: Int) {
                for index in field.indices { block[offset + index] = field[index] }
            }
            /// `value` in octal, zero-padded to `width - 1` digits and a NUL (the most significant
            /// digits are dropped when it does not fit; callers keep values in range).
            func octal(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for index in stride(from: offset + width - 2, through: offset, by: -1) {
                    block[index] = UInt8(ascii: "0") + UInt8(rest & 7)
                    rest >>= 3
                }
                block[offset + width - 1] = 0
            }
            put(name, at: 0)
            octal(Int(mode & 0o7777), width: 8, at: 100)
            octal(size, width: 12, at: 124)
            octal(modificationTime, width: 12, at: 136)
            block[156] = type
            put(linkTarget, at: 157)
            // The checksum is computed with its own field as eight spaces (as in the template).
            let sum = block.reduce(0) { $0 + Int($1) }
            octal(sum, width: 7, at: 148)
            block[155] = UInt8(ascii: " ")
        }
        return Data(block)
    }

    /// A header with the fields every entry shares: owner and group 0, `ustar` magic and
    /// version, owner and group names `root`, and the checksum field as eight spaces.
    private static let headerTemplate: [UInt8] = {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        put("0000000", at: 108)
        put("0000000", at: 116)
        put("        ", at: 148)
        put("ustar\u{0}00", at: 257)
        put("root", at: 265)
        put("root", at: 297)
        return block
    }()
}
