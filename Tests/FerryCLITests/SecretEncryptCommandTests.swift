import ArgumentParser
import FerryCore
import Foundation
import Testing
@testable import FerryCLI

/// `ferry secret encrypt`: armored age to every recipient given, refusing what is not a recipient.
@Suite struct SecretEncryptCommandTests {
    @Test func encryptsToEveryRecipientArmored() throws {
        let (first, second) = (AgeIdentity(), AgeIdentity())
        let command = try SecretEncryptCommand.parse(["--recipient", "\(first.recipient)", "--recipient", "\(second.recipient)"])
        let armored = try command.armored(Data("hunter2\n".utf8))
        #expect(armored.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n"))
        #expect(armored.hasSuffix("-----END AGE ENCRYPTED FILE-----\n"))
        for identity in [first, second] {
            #expect(try AgeFile.decrypt(Data(armored.utf8), with: [identity]) == Data("hunter2\n".utf8))
        }
    }

    @Test func refusesAMissingOrMalformedRecipient() throws {
        #expect(throws: (any Error).self) { try SecretEncryptCommand.parse([]) }
        let command = try SecretEncryptCommand.parse(["--recipient", "age1notarecipient"])
        let error = #expect(throws: ValidationError.self) { try command.armored(Data("x".utf8)) }
        #expect(error?.message.contains("not an age X25519 recipient") == true)
    }

    @Test func isASubcommandOfSecret() throws {
        let identity = AgeIdentity()
        let command = try FerryCommand.parseAsRoot(["secret", "encrypt", "--recipient", "\(identity.recipient)", "/dev/null"])
        #expect((command as? SecretEncryptCommand)?.file == "/dev/null")
    }
}
