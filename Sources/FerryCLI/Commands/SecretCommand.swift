import ArgumentParser
import FerryCore
import Foundation

/// `ferry secret`: tools for the secrets kept encrypted in the config repository.
struct SecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Encrypt secrets for the config repository (from_age).",
        subcommands: [SecretEncryptCommand.self]
    )
}

/// `ferry secret encrypt`: a file or standard input encrypted with age to one or more
/// recipients, armored on standard output: what `from_age` reads, and what `age -d` opens.
struct SecretEncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a secret with age (X25519), armored, to standard output.",
        discussion: """
            The output is a standard age file: `age -d -i KEY` opens it, and so does the \
            agent with its age_identity. Encrypt to the agent's recipient (`age-keygen -y \
            /etc/ferry/age.key` prints it) and to your own, to read it back later.

            Example:
              printf %s "$DB_PASSWORD" | ferry secret encrypt --recipient age1… > secrets/db.age
            """
    )

    @Option(name: .customLong("recipient"), help: ArgumentHelp("An age recipient (age1…); repeat for several.", valueName: "age1…"))
    var recipients: [String] = []

    @Argument(help: "The file to encrypt; standard input when absent.")
    var file: String?

    func validate() throws {
        guard !recipients.isEmpty else {
            throw ValidationError("give at least one --recipient age1… (age-keygen -y KEYFILE prints one)")
        }
    }

    func run() throws {
        let plaintext: Data
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            plaintext = data
        } else {
            plaintext = FileHandle.standardInput.readDataToEndOfFile()
        }
        print(try armored(plaintext), terminator: "")
    }

    /// `plaintext` encrypted to the recipients given, armored.
    /// - Throws: `ValidationError` naming a recipient that is not `age1…`.
    func armored(_ plaintext: Data) throws -> String {
        let parsed: [AgeRecipient]
        do {
            parsed = try recipients.map { text throws(AgeError) in try AgeRecipient(text) }
        } catch {
            throw ValidationError(error.message)
        }
        return try AgeFile.encryptArmored(plaintext, to: parsed)
    }
}
