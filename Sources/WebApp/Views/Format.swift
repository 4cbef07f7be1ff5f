import Foundation

/// How pages write numbers, sizes and times: fixed rules, not the server's locale, so every reader sees the same text.
enum Format {
    /// `2026-11-30`.
    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    /// `2026-11-30 14:05 UTC`.
    static func time(_ date: Date) -> String {
        let style = Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt).year().month().day()
            .time(includingFractionalSeconds: false)
        return String(style.format(date).dropLast(3)) + " UTC"
    }

    /// `1.23 GB`, decimal units as the Hub shows file sizes.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: value < 10 ? "%.2f %@" : value < 100 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    /// A metric value with four significant digits (`0.8125`, `23.41`, `1204`).
    static func metric(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : value > 0 ? "∞" : "−∞" }
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if magnitude >= 10_000 || magnitude < 0.001 { return String(format: "%.3e", value) }
        let decimals = max(0, 3 - Int(floor(log10(magnitude))))
        return String(format: "%.\(decimals)f", value)
    }

    /// A decimal amount with at most one decimal and thousands separated by thin spaces (`12 345.5`).
    static func amount(_ value: Decimal) -> String {
        let number = NSDecimalNumber(decimal: value).doubleValue
        let rounded = (number * 10).rounded() / 10
        let whole = Int64(rounded.magnitude)
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "\u{2009}" + digits.suffix(3) + grouped
            digits = String(digits.dropLast(3))
        }
        grouped = digits + grouped
        let fraction = Int((rounded.magnitude * 10).rounded()) % 10
        return (rounded < 0 ? "−" : "") + grouped + (fraction == 0 ? "" : ".\(fraction)")
    }

    /// Seconds as `850 ms`, `12.4 s`, `3 min 05 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }
}
