import Foundation
import Testing
@testable import FerryAudit

@Suite struct SecretRedactorTests {
    private let secret = "p@ss w/rd+?~ünï"
    private var redactor: SecretRedactor { SecretRedactor(secrets: [secret]) }

    @Test func replacesTheSecretAsIs() {
        #expect(redactor.redact("token=\(secret); again \(secret)") == "token=<redacted>; again <redacted>")
    }

    @Test func replacesEveryBase64Form() {
        let base64 = Data(secret.utf8).base64EncodedString()
        let unpadded = base64.replacingOccurrences(of: "=", with: "")
        let url = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        for form in [base64, unpadded, url] {
            #expect(redactor.redact("Authorization: Basic \(form)") == "Authorization: Basic <redacted>", "\(form)")
        }
    }

    @Test func replacesPercentEncodingInEitherCase() throws {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = try #require(secret.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(encoded == "p%40ss%20w%2Frd%2B%3F~%C3%BCn%C3%AF")
        #expect(redactor.redact("https://h/?t=\(encoded)") == "https://h/?t=<redacted>")
        #expect(redactor.redact("https://h/?t=p%40ss%20w%2frd%2b%3f~%c3%bcn%c3%af") == "https://h/?t=<redacted>")
    }

    @Test func replacesEachLineOfAMultiLineSecret() {
        let key = "-----BEGIN KEY-----\nAAAAbase64body\n-----END KEY-----"
        let redactor = SecretRedactor(secrets: [key])
        #expect(redactor.redact("line: AAAAbase64body") == "line: <redacted>")
        #expect(redactor.redact("all: \(key)") == "all: <redacted>")
    }

    @Test func aSecretContainingAnotherIsReplacedWhole() {
        let redactor = SecretRedactor(secrets: ["hunter2", "hunter2-long"])
        #expect(redactor.redact("hunter2-long and hunter2") == "<redacted> and <redacted>")
    }

    @Test func valuesShorterThanTheMinimumAreLeftAlone() {
        let redactor = SecretRedactor(secrets: ["", "1", "yes"])
        #expect(redactor.isEmpty)
        #expect(redactor.redact("1 yes") == "1 yes")
    }

    @Test func secretsAddedLaterAreRedactedToo() {
        var redactor = SecretRedactor(secrets: ["first-secret"])
        redactor.add(["second-secret"])
        #expect(redactor.redact("first-secret second-secret") == "<redacted> <redacted>")
    }
}
