import Testing
@testable import FerryConfig

/// `from_age` and `from_sops` references as the config spells them: a repository path, and
/// for SOPS a `#` and a dotted key path; anything else is refused at its position.
@Suite struct EncryptedSecretReferenceTests {
    private func load(_ reference: String) throws -> (ConfigLoadResult, SecretReference?) {
        let yaml = """
            hosts:
              h0: { address: 10.0.0.5, user: deploy }
            services:
              api:
                hosts: [h0]
                sources: ["api.py"]
                run: { command: x, port: 8080 }
                env: { DB_PASSWORD: \(reference) }

            """
        let repository = try TestRepository(["ferry.yaml": yaml, "api.py": ""])
        defer { repository.remove() }
        let result = try repository.load()
        guard case .secret(let secret)? = result.configuration?.services.first?.environment["DB_PASSWORD"] else { return (result, nil) }
        return (result, secret)
    }

    @Test func referencesParse() throws {
        #expect(try load("{ from_age: secrets/db.age }").1 == .age("secrets/db.age"))
        #expect(try load("{ from_sops: secrets/app.yaml#db_password }").1 == .sops(file: "secrets/app.yaml", key: "db_password"))
        #expect(try load("{ from_sops: \"secrets/app.env#DB.PASSWORD\" }").1 == .sops(file: "secrets/app.env", key: "DB.PASSWORD"))
        #expect(SecretReference.sops(file: "s/a.yaml", key: "db.password").description == "from_sops: s/a.yaml#db.password")
    }

    @Test(arguments: [
        "{ from_sops: secrets/app.yaml }", "{ from_sops: \"secrets/app.yaml#\" }", "{ from_sops: \"#key\" }",
        "{ from_sops: \"secrets/app.yaml#a..b\" }", "{ from_sops: \"../app.yaml#key\" }", "{ from_sops: \"/etc/app.yaml#key\" }",
        "{ from_age: ../db.age }", "{ from_age: secrets/db.age, from_sops: \"secrets/app.yaml#k\" }",
    ])
    func malformedReferencesAreRefused(reference: String) throws {
        let (result, secret) = try load(reference)
        #expect(secret == nil && !result.errors.isEmpty, "\(reference) was accepted")
    }
}
