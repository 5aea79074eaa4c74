import Foundation
import Testing
@testable import FerryCore

/// Ferry's age against the real `age` and `age-keygen` (Debian package `age`, installed by
/// scripts/lib/prepare-machine.sh): files `age` writes, binary and armored, Ferry decrypts;
/// files Ferry writes `age` decrypts; keys `age-keygen` makes Ferry reads.
@Suite("age interop with the age tool", .enabled(if: ExternalTool.exists("age") && ExternalTool.exists("age-keygen"),
                                                 "install the Debian package age (scripts/lib/prepare-machine.sh does)"))
struct AgeInteropTests {
    let age = ExternalTool("age")!
    let keygen = ExternalTool("age-keygen")!

    /// A fresh `age-keygen` identity file in a temporary directory; its text and the path.
    func makeKey() throws -> (text: String, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-age-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("key.txt").path
        try keygen.run(["-o", path])
        return (try String(contentsOfFile: path, encoding: .utf8), path)
    }

    @Test("age-keygen's identity file parses, and its recipient is the one age-keygen -y prints")
    func keys() throws {
        let key = try makeKey()
        let printed = String(decoding: try keygen.run(["-y", key.path]), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try AgeIdentity.parseFile(key.text).map { "\($0.recipient)" } == [printed])
    }

    @Test("Files age encrypts, binary and armored, Ferry decrypts", arguments: [0, 7, AgeStream.chunkSize, 200_000])
    func ageToFerry(size: Int) throws {
        let key = try makeKey()
        let identities = try AgeIdentity.parseFile(key.text)
        let plaintext = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        for armor in [[], ["--armor"]] {
            let file = try age.run(["--encrypt", "-r", "\(identities[0].recipient)"] + armor, input: plaintext)
            #expect(AgeArmor.isArmored(file) == !armor.isEmpty)
            #expect(try AgeFile.decrypt(file, with: identities) == plaintext)
        }
    }

    @Test("A file age encrypts to someone else is refused")
    func ageToStranger() throws {
        let key = try makeKey()
        let owner = try AgeIdentity.parseFile(key.text)[0]
        let file = try age.run(["--encrypt", "-r", "\(owner.recipient)"], input: Data("x".utf8))
        let error = #expect(throws: AgeError.self) { try AgeFile.decrypt(file, with: [AgeIdentity()]) }
        #expect(error?.kind == .noMatchingIdentity)
    }

    @Test("Files Ferry encrypts, binary and armored, age decrypts", arguments: [0, 11, AgeStream.chunkSize + 1])
    func ferryToAge(size: Int) throws {
        let key = try makeKey()
        let recipient = try AgeIdentity.parseFile(key.text)[0].recipient
        let plaintext = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let binary = try AgeFile.encrypt(plaintext, to: [AgeIdentity().recipient, recipient])
        #expect(try age.run(["--decrypt", "-i", key.path], input: binary) == plaintext)
        let armored = try AgeFile.encryptArmored(plaintext, to: [recipient])
        #expect(try age.run(["--decrypt", "-i", key.path], input: Data(armored.utf8)) == plaintext)
    }
}
