import Crypto
import FerryAudit
import FerryGit
import Foundation

/// The binary form of `blob_digests` in the state directory, the ``BlobDigestCache``'s file:
///
/// ```
/// "FERRYBD\n"                  8 bytes, the magic
/// version                      UInt32 little-endian, 1
/// count                        UInt32 little-endian
/// count × record               60 bytes each: blob id (20), SHA-256 (32), size (UInt64 little-endian)
/// checksum                     SHA-256 of every byte before it (32)
/// ```
///
/// Anything else — another length, magic, version, or checksum — decodes as nothing, so a
/// truncated, torn or garbled file is never taken for digests.
enum BlobDigestFile {
    /// The file's name in the state directory.
    static let name = "blob_digests"

    private static let magic = Array("FERRYBD\n".utf8)
    private static let version: UInt32 = 1
    private static let headerLength = 16
    private static let blobIDLength = 20
    private static let sha256Length = 32
    private static let recordLength = 60
    private static let checksumLength = 32

    /// The records of `data`, in file order; nil unless `data` is a whole, valid file.
    static func decode(_ data: Data) -> [(BlobID, BlobDigest)]? {
        let bytes = [UInt8](data)
        guard bytes.count >= headerLength + checksumLength, Array(bytes[0..<8]) == magic,
              littleEndian32(bytes, at: 8) == version else { return nil }
        let count = Int(littleEndian32(bytes, at: 12))
        let payloadEnd = headerLength + count * recordLength
        guard bytes.count == payloadEnd + checksumLength,
              Array(SHA256.hash(data: bytes[0..<payloadEnd])) == Array(bytes[payloadEnd...]) else { return nil }
        var records: [(BlobID, BlobDigest)] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            let start = headerLength + index * recordLength
            let sizeStart = start + blobIDLength + sha256Length
            guard let blob = BlobID(Hex.encode(bytes[start..<start + blobIDLength])) else { return nil }
            let size = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[sizeStart + $1]) << (8 * UInt64($1)) }
            guard size <= UInt64(Int.max) else { return nil }
            records.append((blob, BlobDigest(sha256: Hex.encode(bytes[start + blobIDLength..<sizeStart]), size: Int(size))))
        }
        return records
    }

    /// The file holding `records`, in that order. A record that is not a SHA-1 blob id with a
    /// 64-digit SHA-256 and a size ≥ 0 is left out (its digest is then computed again).
    static func encode(_ records: [(BlobID, BlobDigest)]) -> Data {
        let valid = records.compactMap { blob, digest -> ([UInt8], [UInt8], UInt64)? in
            guard let id = Hex.decode(blob.hex), id.count == blobIDLength,
                  let sha256 = Hex.decode(digest.sha256), sha256.count == sha256Length, digest.size >= 0 else { return nil }
            return (id, sha256, UInt64(digest.size))
        }
        var bytes = magic
        bytes.reserveCapacity(headerLength + valid.count * recordLength + checksumLength)
        appendLittleEndian(version, to: &bytes)
        appendLittleEndian(UInt32(valid.count), to: &bytes)
        for (id, sha256, size) in valid {
            bytes += id
            bytes += sha256
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: size >> UInt64(shift))) }
        }
        bytes += Array(SHA256.hash(data: bytes))
        return Data(bytes)
    }

    private static func littleEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
