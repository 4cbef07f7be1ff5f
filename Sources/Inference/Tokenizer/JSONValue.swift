/// A parsed JSON value, for walking `tokenizer.json`, whose stages are tagged unions that a fixed
/// `Decodable` shape would not describe.
enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
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
