import Testing

@Suite struct FerrySSHPlaceholder {
    @Test func placeholderReplacedByItsOwner() { #expect(Bool(true)) }
}
