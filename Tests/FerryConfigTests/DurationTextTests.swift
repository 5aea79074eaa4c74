import Testing
@testable import FerryConfig

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("5s", .seconds(5)),
        ("2m", .seconds(120)),
        ("1h", .seconds(3_600)),
        ("1d", .seconds(86_400)),
        ("1h30m", .seconds(5_400)),
        ("1m30s250ms", .milliseconds(90_250)),
        ("0s", .zero),
    ])
    func parses(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["5", "", "s", "5 s", "5sec", "1.5s", "-5s", "5S", "h1", "99999999999999999999s"])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func formatsLikeAUserWould() {
        #expect(DurationText.format(.seconds(90)) == "1m30s")
        #expect(DurationText.format(.milliseconds(500)) == "500ms")
        #expect(DurationText.format(.seconds(600)) == "10m")
        #expect(DurationText.format(.zero) == "0s")
        #expect(DurationText.parse(DurationText.format(.seconds(93_784))) == .seconds(93_784))
    }
}
