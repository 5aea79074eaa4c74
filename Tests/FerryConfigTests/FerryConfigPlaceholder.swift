import Testing

@Suite struct FerryConfigPlaceholder {
    @Test func placeholderReplacedByItsOwner() { #expect(Bool(true)) }
}
