public import Foundation

/// Calendar days as `YYYY-MM-DD` in UTC, the form periods, memberships and reports use everywhere.
public enum ISODay {
    /// `date`'s day in UTC.
    public static func format(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    }

    /// Midnight UTC of exactly `YYYY-MM-DD`; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        guard text.utf8.count == 10 else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.date(from: text)
    }
}
