public import Foundation

/// A Swift type that a result column can be decoded into.
public protocol SQLDecodable: Sendable {
    /// Whether a column of this PostgreSQL type can be decoded into `Self` (checked before parsing).
    static func accepts(_ type: PostgresType) -> Bool
    /// Parses the column's text form; returns `nil` if the text is not a valid `Self`.
    static func decode(sqlText: String, type: PostgresType) -> Self?
    /// The value for SQL NULL, or `nil` if `Self` cannot be NULL (only `Optional` can).
    static var sqlNull: Self? { get }
}

extension SQLDecodable {
    public static var sqlNull: Self? { nil }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { Wrapped.accepts(type) }
    public static func decode(sqlText: String, type: PostgresType) -> Self? {
        Wrapped.decode(sqlText: sqlText, type: type).map { .some($0) }
    }
    public static var sqlNull: Self? { .some(.none) }
}

extension Bool: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { type == .bool }
    public static func decode(sqlText: String, type: PostgresType) -> Bool? {
        switch sqlText {
        case "t": true
        case "f": false
        default: nil
        }
    }
}

extension Int: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { type == .int2 || type == .int4 || type == .int8 || type == .oid }
    public static func decode(sqlText: String, type: PostgresType) -> Int? { Int(sqlText) }
}

extension Int64: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { type == .int2 || type == .int4 || type == .int8 }
    public static func decode(sqlText: String, type: PostgresType) -> Int64? { Int64(sqlText) }
}

extension Int32: SQLDecodable {
    /// int8 is refused: a value that may not fit is a schema mismatch, not something to truncate.
    public static func accepts(_ type: PostgresType) -> Bool { type == .int2 || type == .int4 }
    public static func decode(sqlText: String, type: PostgresType) -> Int32? { Int32(sqlText) }
}

extension Double: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool {
        type == .float4 || type == .float8 || type == .numeric || type == .int2 || type == .int4 || type == .int8
    }
    public static func decode(sqlText: String, type: PostgresType) -> Double? {
        switch sqlText {
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        case "NaN": .nan
        default: Double(sqlText)
        }
    }
}

extension String: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool {
        type == .text || type == .varchar || type == .bpchar || type == .name || type == .unknown
    }
    public static func decode(sqlText: String, type: PostgresType) -> String? { sqlText }
}

extension Decimal: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool {
        type == .numeric || type == .int2 || type == .int4 || type == .int8
    }
    public static func decode(sqlText: String, type: PostgresType) -> Decimal? {
        guard sqlText != "NaN" else { return nil }
        return Decimal(string: sqlText, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension UUID: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { type == .uuid }
    public static func decode(sqlText: String, type: PostgresType) -> UUID? { UUID(uuidString: sqlText) }
}

extension Date: SQLDecodable {
    /// `date` columns decode to midnight UTC of that day.
    public static func accepts(_ type: PostgresType) -> Bool { type == .timestamptz || type == .timestamp || type == .date }
    public static func decode(sqlText: String, type: PostgresType) -> Date? { PostgresTimestamp.parse(sqlText) }
}

extension Data: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { type == .bytea }
    public static func decode(sqlText: String, type: PostgresType) -> Data? {
        let bytes = Array(sqlText.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            return nil
        }
        var data = Data(capacity: (bytes.count - 2) / 2)
        var i = 2
        while i < bytes.count {
            guard let hi = hexValue(bytes[i]), let lo = hexValue(bytes[i + 1]) else { return nil }
            data.append(hi << 4 | lo)
            i += 2
        }
        return data
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}

extension JSONB: SQLDecodable {
    public static func accepts(_ type: PostgresType) -> Bool { type == .jsonb || type == .json }
    public static func decode(sqlText: String, type: PostgresType) -> JSONB<Value>? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? decoder.decode(Value.self, from: Data(sqlText.utf8))).map(JSONB.init)
    }
}

extension Array: SQLDecodable where Element: SQLDecodable & SQLArrayElement {
    public static func accepts(_ type: PostgresType) -> Bool { type == Element.arrayType || (Element.self == String.self && type == .varcharArray) }
    public static func decode(sqlText: String, type: PostgresType) -> [Element]? {
        guard let items = PostgresArrayLiteral.parse(sqlText) else { return nil }
        var out: [Element] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let text = item else {
                // NULL elements decode only into an array of optionals.
                guard let null = Element.sqlNull else { return nil }
                out.append(null)
                continue
            }
            guard let value = Element.decode(sqlText: text, type: .unknown) else { return nil }
            out.append(value)
        }
        return out
    }
}
