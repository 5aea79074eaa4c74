import Crypto
import Foundation

/// age's payload encryption: STREAM over ChaCha20-Poly1305 in chunks of 64 KiB, each
/// nonce an 11-byte big-endian counter and a last-chunk flag (C2SP age spec, "Payload").
enum AgeStream {
    static let chunkSize = 64 * 1024
    private static let tagSize = 16

    /// The payload key: HKDF-SHA256 of the file key, salted with the payload's 16-byte nonce.
    static func payloadKey(fileKey: SymmetricKey, nonce: Data) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: fileKey, salt: nonce, info: Data("payload".utf8), outputByteCount: 32)
    }

    /// Encrypts `plaintext` chunk by chunk.
    static func seal(_ plaintext: Data, key: SymmetricKey) throws -> Data {
        var output = Data()
        var counter: UInt64 = 0
        var start = plaintext.startIndex
        repeat {
            let end = min(start + chunkSize, plaintext.endIndex)
            let isLast = end == plaintext.endIndex
            let box = try ChaChaPoly.seal(plaintext[start..<end], using: key, nonce: nonce(counter, last: isLast))
            output += box.ciphertext + box.tag
            counter += 1
            start = end
        } while start < plaintext.endIndex
        return output
    }

    /// Decrypts `ciphertext`; the chunk that ends it must carry the last-chunk flag.
    /// - Throws: ``AgeError`` (`payloadCorrupted`) for a changed, reordered or truncated payload.
    static func open(_ ciphertext: Data, key: SymmetricKey) throws(AgeError) -> Data {
        var output = Data()
        var counter: UInt64 = 0
        var start = ciphertext.startIndex
        repeat {
            let end = min(start + chunkSize + tagSize, ciphertext.endIndex)
            let isLast = end == ciphertext.endIndex
            let chunk = ciphertext[start..<end]
            guard chunk.count >= tagSize, !(isLast && chunk.count == tagSize && counter > 0) else {
                throw AgeError(.payloadCorrupted, "the age payload is truncated or has an empty final chunk")
            }
            do {
                let box = try ChaChaPoly.SealedBox(
                    nonce: nonce(counter, last: isLast), ciphertext: chunk.dropLast(tagSize), tag: chunk.suffix(tagSize))
                output += try ChaChaPoly.open(box, using: key)
            } catch {
                throw AgeError(.payloadCorrupted, "the age payload fails authentication at chunk \(counter): it was changed or cut short")
            }
            counter += 1
            start = end
        } while start < ciphertext.endIndex
        return output
    }

    private static func nonce(_ counter: UInt64, last: Bool) -> ChaChaPoly.Nonce {
        var bytes = Data(repeating: 0, count: 3)
        withUnsafeBytes(of: counter.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(last ? 1 : 0)
        // 12 bytes: always a valid ChaCha20-Poly1305 nonce.
        return try! ChaChaPoly.Nonce(data: bytes)
    }
}
