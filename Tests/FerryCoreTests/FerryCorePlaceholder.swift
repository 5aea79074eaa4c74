import Testing

@Suite struct FerryCorePlaceholder {
    @Test func placeholderReplacedByItsOwner() { #expect(Bool(true)) }
}
