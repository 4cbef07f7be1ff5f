public import Foundation

/// A Swift value that can be bound as a query parameter.
public protocol SQLEncodable: Sendable {
    /// The PostgreSQL type values of `Self` are sent as (also the type of a NULL `Self?`).
    static var sqlType: PostgresType { get }
    /// The value's PostgreSQL type and text form.
    var sqlParameter: SQLParameter { get }
}

extension Optional: SQLEncodable where Wrapped: SQLEncodable {
    public static var sqlType: PostgresType { Wrapped.sqlType }
    /// `nil` is SQL NULL, typed as `Wrapped` so the server need not guess.
    public var sqlParameter: SQLParameter { self?.sqlParameter ?? SQLParameter(type: Wrapped.sqlType, text: nil) }
}

extension Optional: SQLArrayElement where Wrapped: SQLArrayElement {
    public static var arrayType: PostgresType { Wrapped.arrayType }
}

/// A Swift value that can be an element of a bound PostgreSQL array (for `unnest($1::text[])` bulk writes).
public protocol SQLArrayElement: SQLEncodable {
    /// The OID of the array type whose elements are `Self`.
    static var arrayType: PostgresType { get }
}

extension Bool: SQLArrayElement {
    public static var sqlType: PostgresType { .bool }
    public var sqlParameter: SQLParameter { .init(type: .bool, text: self ? "t" : "f") }
    public static var arrayType: PostgresType { .boolArray }
}

extension Int: SQLArrayElement {
    public static var sqlType: PostgresType { .int8 }
    public var sqlParameter: SQLParameter { .init(type: .int8, text: String(self)) }
    public static var arrayType: PostgresType { .int8Array }
}

extension Int64: SQLArrayElement {
    public static var sqlType: PostgresType { .int8 }
    public var sqlParameter: SQLParameter { .init(type: .int8, text: String(self)) }
    public static var arrayType: PostgresType { .int8Array }
}

extension Int32: SQLArrayElement {
    public static var sqlType: PostgresType { .int4 }
    public var sqlParameter: SQLParameter { .init(type: .int4, text: String(self)) }
    public static var arrayType: PostgresType { .int4Array }
}

extension Double: SQLArrayElement {
    public static var sqlType: PostgresType { .float8 }
    public var sqlParameter: SQLParameter {
        let text: String =
            if self.isNaN { "NaN" } else if self == .infinity { "Infinity" } else if self == -.infinity { "-Infinity" } else {
                "\(self)"
            }
        return .init(type: .float8, text: text)
    }
    public static var arrayType: PostgresType { .float8Array }
}

extension String: SQLArrayElement {
    public static var sqlType: PostgresType { .text }
    public var sqlParameter: SQLParameter { .init(type: .text, text: self) }
    public static var arrayType: PostgresType { .textArray }
}

extension Decimal: SQLArrayElement {
    public static var sqlType: PostgresType { .numeric }
    public var sqlParameter: SQLParameter { .init(type: .numeric, text: self.description) }
    public static var arrayType: PostgresType { .numericArray }
}

extension UUID: SQLArrayElement {
    public static var sqlType: PostgresType { .uuid }
    public var sqlParameter: SQLParameter { .init(type: .uuid, text: self.uuidString.lowercased()) }
    public static var arrayType: PostgresType { .uuidArray }
}

extension Date: SQLArrayElement {
    public static var arrayType: PostgresType { .timestamptzArray }
    public static var sqlType: PostgresType { .timestamptz }
    /// Sent as an ISO-8601 UTC timestamp with microseconds, PostgreSQL's own precision.
    public var sqlParameter: SQLParameter { .init(type: .timestamptz, text: PostgresTimestamp.format(self)) }
}

/// Raw bytes, sent and received as `bytea`.
extension Data: SQLEncodable {
    public static var sqlType: PostgresType { .bytea }
    public var sqlParameter: SQLParameter {
        .init(type: .bytea, text: "\\x" + self.map { Hex.digits[Int($0)] }.joined())
    }
}

extension Array: SQLEncodable where Element: SQLArrayElement {
    public static var sqlType: PostgresType { Element.arrayType }
    /// A one-dimensional array literal; every element is quoted, so no element can break out of it.
    public var sqlParameter: SQLParameter {
        let items = self.map { element -> String in
            guard let text = element.sqlParameter.text else { return "NULL" }
            var quoted = "\""
            for c in text.unicodeScalars {
                if c == "\"" || c == "\\" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(c)
            }
            return quoted + "\""
        }
        return .init(type: Element.arrayType, text: "{" + items.joined(separator: ",") + "}")
    }
}

/// A value stored as `jsonb`, encoded and decoded with `Codable` (keys sorted, so equal values give equal text).
public struct JSONB<Value: Codable & Sendable>: SQLEncodable, Sendable {
    public static var sqlType: PostgresType { .jsonb }
    /// The decoded value.
    public var value: Value
    /// Wraps a value for binding.
    public init(_ value: Value) { self.value = value }

    public var sqlParameter: SQLParameter {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // With non-finite floats handled above, only a value whose own `encode(to:)` throws can fail here;
        // such a type is a programming error, and NULL then makes the NOT NULL column refuse the write.
        guard let data = try? encoder.encode(self.value) else { return .init(type: .jsonb, text: nil) }
        return .init(type: .jsonb, text: String(decoding: data, as: UTF8.self))
    }
}

enum Hex {
    static let digits: [String] = (0..<256).map { byte in
        let s = String(byte, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}
