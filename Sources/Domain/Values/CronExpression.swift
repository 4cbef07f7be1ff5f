public import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC, with the syntax
/// of Vixie cron: `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists, month and weekday names, 7 for
/// Sunday, the `@hourly` … `@yearly` shorthands, and "day of month OR day of week" when both are restricted.
public struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// The text as written.
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    private static let shorthands = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `text`; the error names the field and what is wrong with it.
    public init(_ text: String) throws(DomainValidationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.shorthands[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw DomainValidationError(
                field: "cron", message: "'\(text.prefix(80))' must have five fields (minute hour day month weekday) or be @daily, @hourly, …")
        }
        self.description = trimmed
        self.minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        self.hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        self.days = try Self.field(fields[2], name: "day of month", range: 1...31, names: [])
        self.months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstName: 1)
        // 7 is Sunday as well as 0.
        self.weekdays = Set(try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.weekdayNames).map { $0 % 7 })
        self.daysRestricted = fields[2] != "*" && !fields[2].hasPrefix("*/")
        self.weekdaysRestricted = fields[4] != "*" && !fields[4].hasPrefix("*/")
        // A day that no month has (30 February) would never fire; say so rather than wait forever.
        let longest = self.months.map { [1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31][$0]! }.max() ?? 31
        if self.daysRestricted, !self.weekdaysRestricted, (self.days.min() ?? 1) > longest {
            throw DomainValidationError(field: "cron", message: "'\(trimmed.prefix(80))' names a day that none of its months has")
        }
    }

    private static func field(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String], firstName: Int = 0
    ) throws(DomainValidationError) -> Set<Int> {
        func fail(_ why: String) -> DomainValidationError {
            DomainValidationError(field: "cron", message: "\(name) '\(text.prefix(40))' \(why)")
        }
        func value(_ token: Substring) throws(DomainValidationError) -> Int {
            if let index = names.firstIndex(of: token.lowercased()) { return index + firstName }
            guard let number = Int(token), range.contains(number) else { throw fail("must be \(range.lowerBound)–\(range.upperBound)") }
            return number
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw fail("is not a value, range or step") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed >= 1, parsed <= range.upperBound else { throw fail("has an invalid step") }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else {
                let ends = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw fail("is not a value, range or step") }
                let low = try value(ends[0])
                let high = ends.count == 2 ? try value(ends[1]) : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw fail("has a range that runs backwards") }
                bounds = low...high
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Whether the expression fires on this day (UTC midnight-based components).
    private func matchesDay(day: Int, month: Int, weekday: Int) -> Bool {
        guard self.months.contains(month) else { return false }
        switch (self.daysRestricted, self.weekdaysRestricted) {
        case (true, true): return self.days.contains(day) || self.weekdays.contains(weekday)
        case (true, false): return self.days.contains(day)
        case (false, true): return self.weekdays.contains(weekday)
        case (false, false): return true
        }
    }

    /// The first time strictly after `date` (to the minute) when the expression fires, or nil if none within eight years.
    public func next(after date: Date) -> Date? {
        let calendar = Self.calendar
        // Start at the next whole minute.
        let start = calendar.dateInterval(of: .minute, for: date)!.end
        var day = calendar.startOfDay(for: start)
        let sortedHours = self.hours.sorted()
        let sortedMinutes = self.minutes.sorted()
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if self.matchesDay(day: parts.day!, month: parts.month!, weekday: parts.weekday! - 1) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        let candidate = day.addingTimeInterval(Double(hour * 3600 + minute * 60))
                        if candidate >= start { return candidate }
                    }
                }
            }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return nil
    }
}
