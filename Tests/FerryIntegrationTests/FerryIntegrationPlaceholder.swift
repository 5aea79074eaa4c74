import Testing

@Suite struct FerryIntegrationPlaceholder {
    @Test func placeholderReplacedByItsOwner() { #expect(Bool(true)) }
}
