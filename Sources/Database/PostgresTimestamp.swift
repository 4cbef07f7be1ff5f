import Foundation

/// Reads and writes PostgreSQL's ISO text form of `timestamptz` and `date` without a `Calendar`,
/// since every session is set to `TimeZone=UTC, DateStyle=ISO`.
enum PostgresTimestamp {
    /// `2026-11-23T19:24:01.123456Z`
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: days)
        let hh = secondOfDay / 3600, mm = (secondOfDay % 3600) / 60, ss = secondOfDay % 60
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2)).\(pad(fraction, 6))Z"
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]][+HH[:MM[:SS]]]`; `nil` for anything else (BC dates, infinity).
    static func parse(_ text: String) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let y = scanner.number(), y >= 1, scanner.skip(UInt8(ascii: "-")),
            let mo = scanner.number(), (1...12).contains(mo), scanner.skip(UInt8(ascii: "-")),
            let d = scanner.number(), (1...31).contains(d)
        else { return nil }
        var seconds = Double(days(fromCivil: y, mo, d)) * 86_400
        if scanner.skip(UInt8(ascii: " ")) || scanner.skip(UInt8(ascii: "T")) {
            guard let hh = scanner.number(), hh <= 24, scanner.skip(UInt8(ascii: ":")),
                let mm = scanner.number(), mm < 60, scanner.skip(UInt8(ascii: ":")),
                let ss = scanner.number(), ss <= 60
            else { return nil }
            seconds += Double(hh * 3600 + mm * 60 + ss)
            if scanner.skip(UInt8(ascii: ".")) {
                let start = scanner.index
                guard let frac = scanner.number() else { return nil }
                seconds += Double(frac) / pow(10, Double(scanner.index - start))
            }
            if let sign = scanner.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                scanner.index += 1
                guard let oh = scanner.number() else { return nil }
                var offset = oh * 3600
                if scanner.skip(UInt8(ascii: ":")), let om = scanner.number() { offset += om * 60 }
                if scanner.skip(UInt8(ascii: ":")), let os = scanner.number() { offset += os }
                seconds -= Double(sign == UInt8(ascii: "+") ? offset : -offset)
            } else if scanner.skip(UInt8(ascii: "Z")) {
                // UTC
            }
        }
        guard scanner.atEnd else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }
        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
        mutating func skip(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }
        mutating func number() -> Int? {
            var value = 0
            let start = index
            while let b = peek(), b >= 48, b <= 57, index - start < 9 {
                value = value * 10 + Int(b - 48)
                index += 1
            }
            return index > start ? value : nil
        }
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Howard Hinnant's days-from-civil: days since 1970-01-01 of a proleptic Gregorian date.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
