public import Foundation

/// A half-open span of calendar days `[start, end)`, as PostgreSQL's `daterange` treats it; `end` nil is open-ended.
public struct DatePeriod: Hashable, Sendable, Codable {
    /// First day (midnight UTC).
    public let start: Date
    /// Day after the last day (midnight UTC), or nil for no end.
    public let end: Date?

    /// Validates that `end` is after `start`.
    ///
    /// - Throws: `DomainValidationError` on the `end` field (named by `endField`) when it is not after `start`.
    public init(start: Date, end: Date?, endField: String = "period_end") throws(DomainValidationError) {
        if let end, end <= start {
            throw DomainValidationError(field: endField, message: "must be after the start of the period")
        }
        self.start = start
        self.end = end
    }

    /// Whether `date` falls inside the period.
    public func contains(_ date: Date) -> Bool {
        date >= self.start && (self.end.map { date < $0 } ?? true)
    }

    /// Whether two periods share at least one day.
    public func overlaps(_ other: DatePeriod) -> Bool {
        let endsAfterOtherStarts = self.end.map { $0 > other.start } ?? true
        let otherEndsAfterStart = other.end.map { $0 > self.start } ?? true
        return endsAfterOtherStarts && otherEndsAfterStart
    }
}
