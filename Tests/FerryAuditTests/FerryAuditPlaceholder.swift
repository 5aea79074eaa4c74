import Testing

@Suite struct FerryAuditPlaceholder {
    @Test func placeholderReplacedByItsOwner() { #expect(Bool(true)) }
}
