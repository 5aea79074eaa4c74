import Foundation
import Testing
@testable import FerryAudit

@Suite struct RFC3339Tests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_714_564_803.1239)) == "2024-05-01T12:00:03.123Z")
        #expect(RFC3339.secondsString(from: Date(timeIntervalSince1970: 1_714_564_803.9)) == "2024-05-01T12:00:03Z")
    }

    @Test func parsesWhatItFormats() throws {
        for text in ["2024-05-01T12:00:03.123Z", "1999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.001Z"] {
            let date = try #require(RFC3339.date(from: text))
            #expect(RFC3339.string(from: date) == text)
        }
    }

    @Test func parsesOffsetsFractionsAndBareDates() {
        let utc = Date(timeIntervalSince1970: 1_714_564_800)
        #expect(RFC3339.date(from: "2024-05-01T14:00:00+02:00") == utc)
        #expect(RFC3339.date(from: "2024-05-01t07:00:00-05:00") == utc)
        #expect(RFC3339.date(from: "2024-05-01 12:00:00z") == utc)
        #expect(RFC3339.date(from: "2024-05-01") == Date(timeIntervalSince1970: 1_714_521_600))
        #expect(RFC3339.date(from: "2024-05-01T12:00:00.5Z") == utc + 0.5)
    }

    @Test func rejectsMalformedAndImpossibleTimes() {
        for text in ["", "2024-5-01", "2024-02-30T00:00:00Z", "2024-05-01T25:00:00Z", "2024-05-01T12:00:00",
                     "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00Zjunk", "2024-05-01T12:00:00+2:00"] {
            #expect(RFC3339.date(from: text) == nil, "\(text)")
        }
    }
}
