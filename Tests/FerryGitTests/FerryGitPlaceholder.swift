import Testing

@Suite struct FerryGitPlaceholder {
    @Test func placeholderReplacedByItsOwner() { #expect(Bool(true)) }
}
