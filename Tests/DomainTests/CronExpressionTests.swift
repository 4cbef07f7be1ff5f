import Domain
import Foundation
import Testing

@Suite struct CronExpressionTests {
    private func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    private func next(_ cron: String, after: String) throws -> String? {
        try CronExpression(cron).next(after: try date(after)).map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test(arguments: [
        ("*/15 * * * *", "2026-11-30T10:07:30Z", "2026-11-30T10:15:00Z"),
        ("0 3 * * *", "2026-11-30T03:00:00Z", "2026-12-01T03:00:00Z"),  // strictly after
        ("0 3 * * *", "2026-11-30T02:59:59Z", "2026-11-30T03:00:00Z"),
        ("30 2 * * mon-fri", "2026-11-28T12:00:00Z", "2026-11-30T02:30:00Z"),  // Saturday → Monday
        ("0 0 1 */3 *", "2026-11-30T00:00:00Z", "2027-01-01T00:00:00Z"),
        ("0 12 29 feb *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z"),
        ("0 0 * * 7", "2026-11-30T00:00:00Z", "2026-12-06T00:00:00Z"),  // 7 is Sunday
        ("0 0 13 * fri", "2026-11-30T00:00:00Z", "2026-12-04T00:00:00Z"),  // day OR weekday, as in Vixie cron
        ("@weekly", "2026-11-30T00:00:00Z", "2026-12-06T00:00:00Z"),
        ("@hourly", "2026-12-31T23:30:00Z", "2027-01-01T00:00:00Z"),
        ("5,10-12/2 8 * JAN,dec *", "2026-11-30T00:00:00Z", "2026-12-01T08:05:00Z"),
    ])
    func nextFiringTimes(cron: String, after: String, expected: String) throws {
        #expect(try next(cron, after: after) == expected)
    }

    @Test(arguments: [
        "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *",
        "a * * * *", ", * * * *", "1-2-3 * * * *", "0 0 30 feb *", "@often",
    ])
    func refusesMalformedExpressions(cron: String) {
        #expect(throws: DomainValidationError.self) { try CronExpression(cron) }
    }
}
