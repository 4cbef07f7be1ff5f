import Foundation

/// A parsed JSON value, for walking `tokenizer.json`, whose stages are tagged unions that a fixed
/// `Decodable` shape would not describe.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text. Foundation's parser does the reading; this only retypes its tree, which is
    /// far faster than probing each node through `Decodable`.
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONValue(any: JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    private init(any: Any) throws {
        switch any {
        case is NSNull:
            self = .null
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            // JSON booleans come back as NSNumbers whose Objective-C type is `char`.
            if String(cString: number.objCType) == "c" { self = .bool(number.boolValue) } else { self = .number(number.doubleValue) }
        case let array as [Any]:
            self = .array(try array.map { try JSONValue(any: $0) })
        case let object as [String: Any]:
            self = .object(try object.mapValues { try JSONValue(any: $0) })
        default:
            throw CocoaError(.propertyListReadCorrupt)
        }
    }

    subscript(key: String) -> JSONValue? {
        if case let .object(fields) = self { return fields[key] }
        return nil
    }

    var string: String? { if case let .string(v) = self { v } else { nil } }
    var bool: Bool? { if case let .bool(v) = self { v } else { nil } }
    var array: [JSONValue]? { if case let .array(v) = self { v } else { nil } }
    var object: [String: JSONValue]? { if case let .object(v) = self { v } else { nil } }
    var isNull: Bool { self == .null }

    /// An integer, only if the number is integral and fits.
    var int: Int? {
        guard case let .number(v) = self, v.rounded() == v, abs(v) < 9.0e15 else { return nil }
        return Int(v)
    }
}
