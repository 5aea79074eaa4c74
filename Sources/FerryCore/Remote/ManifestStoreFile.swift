import Crypto
import Foundation

/// The binary form of `manifests` in the state directory, the ``ManifestStore``'s file:
///
/// ```
/// "FERRYMS\n"                 8 bytes, the magic
/// version                     UInt32 little-endian, 2
/// list count, entry count,    UInt32 little-endian each
/// host count
/// host count × host           a host whose last probe found GNU find, as length + bytes
/// list count × file list      length (UInt32) and the bytes of a manifest's `files` value
/// entry count × entry         host, service, SHA-256 of the manifest (32), the bytes before
///                             its file list, the list's index (UInt32, 0xFFFFFFFF: none),
///                             the bytes after it; host, service and bytes as length + bytes
/// checksum                    SHA-256 of every byte before it (32)
/// ```
///
/// Anything else — another magic, version or checksum, a length past the end, an index past
/// the lists — decodes as nothing, so a truncated, torn or garbled file is never taken for
/// manifests.
enum ManifestStoreFile {
    /// The file's name in the state directory.
    static let name = "manifests"

    /// One stored manifest: its SHA-256 and its bytes, the file list (shared by the manifests
    /// of every host of a release) cut out and referred to by its index in the file.
    struct Entry: Equatable {
        var host: String
        var service: String
        var sha256: Data
        var prefix: Data
        var list: Int?
        var suffix: Data
    }

    private static let magic = Array("FERRYMS\n".utf8)
    private static let version: UInt32 = 2
    private static let noList: UInt32 = .max
    private static let sha256Length = 32

    /// What a file holds: the hosts with GNU find, the file lists and the entries.
    struct Contents: Equatable {
        var gnuFindHosts: [String] = []
        var lists: [Data] = []
        var entries: [Entry] = []
    }

    /// The contents of `data`; nil unless `data` is a whole, valid file.
    static func decode(_ data: Data) -> Contents? {
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 12 + sha256Length else { return nil }
        let payloadEnd = bytes.count - sha256Length
        guard Array(bytes[0..<magic.count]) == magic,
              Array(SHA256.hash(data: bytes[0..<payloadEnd])) == Array(bytes[payloadEnd...]) else { return nil }
        var reader = Reader(bytes: bytes, end: payloadEnd, offset: magic.count)
        guard reader.uint32() == version, let listCount = reader.uint32(), let entryCount = reader.uint32(),
              let hostCount = reader.uint32() else { return nil }
        var hosts: [String] = []
        for _ in 0..<hostCount {
            guard let host = reader.chunk() else { return nil }
            hosts.append(String(decoding: host, as: UTF8.self))
        }
        var lists: [Data] = []
        for _ in 0..<listCount {
            guard let list = reader.chunk() else { return nil }
            lists.append(list)
        }
        var entries: [Entry] = []
        for _ in 0..<entryCount {
            guard let host = reader.chunk(), let service = reader.chunk(), let sha256 = reader.take(sha256Length),
                  let prefix = reader.chunk(), let list = reader.uint32(), let suffix = reader.chunk(),
                  list == noList || Int(list) < lists.count else { return nil }
            entries.append(Entry(host: String(decoding: host, as: UTF8.self), service: String(decoding: service, as: UTF8.self),
                                 sha256: sha256, prefix: prefix, list: list == noList ? nil : Int(list), suffix: suffix))
        }
        guard reader.offset == payloadEnd else { return nil }
        return Contents(gnuFindHosts: hosts, lists: lists, entries: entries)
    }

    /// The file holding `contents`, whose entries' list indices must be those of its lists.
    static func encode(_ contents: Contents) -> Data {
        var bytes = magic
        append(version, to: &bytes)
        append(UInt32(contents.lists.count), to: &bytes)
        append(UInt32(contents.entries.count), to: &bytes)
        append(UInt32(contents.gnuFindHosts.count), to: &bytes)
        for host in contents.gnuFindHosts { appendChunk(Data(host.utf8), to: &bytes) }
        for list in contents.lists { appendChunk(list, to: &bytes) }
        for entry in contents.entries {
            appendChunk(Data(entry.host.utf8), to: &bytes)
            appendChunk(Data(entry.service.utf8), to: &bytes)
            bytes += entry.sha256
            appendChunk(entry.prefix, to: &bytes)
            append(entry.list.map(UInt32.init) ?? noList, to: &bytes)
            appendChunk(entry.suffix, to: &bytes)
        }
        bytes += Array(SHA256.hash(data: bytes))
        return Data(bytes)
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func appendChunk(_ chunk: Data, to bytes: inout [UInt8]) {
        append(UInt32(chunk.count), to: &bytes)
        bytes += chunk
    }

    /// Reads the fields of a file in order, never past `end`.
    private struct Reader {
        let bytes: [UInt8]
        let end: Int
        var offset: Int

        mutating func uint32() -> UInt32? {
            guard let field = take(4) else { return nil }
            return field.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        }

        mutating func take(_ count: Int) -> Data? {
            guard count >= 0, end - offset >= count else { return nil }
            defer { offset += count }
            return Data(bytes[offset..<offset + count])
        }

        mutating func chunk() -> Data? {
            guard let length = uint32() else { return nil }
            return take(Int(length))
        }
    }
}
