/// One bound value as libpq receives it: a PostgreSQL type OID and its text form, or NULL.
public struct SQLParameter: Sendable, Hashable {
    /// The parameter's type OID, so the server never has to guess (`0` lets it infer).
    public var type: PostgresType
    /// The value in PostgreSQL's text format; `nil` is SQL NULL.
    public var text: String?

    /// Creates a parameter from its text form.
    public init(type: PostgresType, text: String?) {
        self.type = type
        self.text = text
    }

    /// SQL NULL of unspecified type.
    public static let null = SQLParameter(type: .unknown, text: nil)
}

/// A PostgreSQL type OID (the numbers are fixed by the server's catalog).
public struct PostgresType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let unknown = Self(rawValue: 0)
    public static let bool = Self(rawValue: 16)
    public static let bytea = Self(rawValue: 17)
    public static let name = Self(rawValue: 19)
    public static let int8 = Self(rawValue: 20)
    public static let int2 = Self(rawValue: 21)
    public static let int4 = Self(rawValue: 23)
    public static let text = Self(rawValue: 25)
    public static let oid = Self(rawValue: 26)
    public static let json = Self(rawValue: 114)
    public static let float4 = Self(rawValue: 700)
    public static let float8 = Self(rawValue: 701)
    public static let bpchar = Self(rawValue: 1042)
    public static let varchar = Self(rawValue: 1043)
    public static let date = Self(rawValue: 1082)
    public static let timestamp = Self(rawValue: 1114)
    public static let timestamptz = Self(rawValue: 1184)
    public static let numeric = Self(rawValue: 1700)
    public static let uuid = Self(rawValue: 2950)
    public static let jsonb = Self(rawValue: 3802)
    public static let textArray = Self(rawValue: 1009)
    public static let varcharArray = Self(rawValue: 1015)
    public static let int8Array = Self(rawValue: 1016)
    public static let int4Array = Self(rawValue: 1007)
    public static let uuidArray = Self(rawValue: 2951)
    public static let float8Array = Self(rawValue: 1022)
    public static let numericArray = Self(rawValue: 1231)
    public static let boolArray = Self(rawValue: 1000)
    public static let dateArray = Self(rawValue: 1182)
    public static let timestamptzArray = Self(rawValue: 1185)

    public var description: String {
        switch self {
        case .bool: "bool"
        case .bytea: "bytea"
        case .int8: "int8"
        case .int2: "int2"
        case .int4: "int4"
        case .text: "text"
        case .float4: "float4"
        case .float8: "float8"
        case .varchar: "varchar"
        case .bpchar: "bpchar"
        case .date: "date"
        case .timestamptz: "timestamptz"
        case .timestamp: "timestamp"
        case .numeric: "numeric"
        case .uuid: "uuid"
        case .json: "json"
        case .jsonb: "jsonb"
        case .textArray: "text[]"
        case .varcharArray: "varchar[]"
        default: "oid \(self.rawValue)"
        }
    }
}
