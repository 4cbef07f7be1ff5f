/// One metadata value of a GGUF file, keeping the exact type it was stored with.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    /// A homogeneous array (GGUF stores one element type per array); elements may themselves be arrays.
    case array([GGUFValue])

    /// The value as `Int` if it is an integer of any width that fits.
    public var int: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// The value as `Double` if it is a float, or an integer that `Double` represents exactly.
    public var double: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .uint64(let v): Double(exactly: v)
        case .int64(let v): Double(exactly: v)
        default: int.map(Double.init)
        }
    }

    /// The value if it is a string.
    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// The value if it is a bool.
    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    /// The elements if the value is an array.
    public var array: [GGUFValue]? {
        if case .array(let v) = self { return v }
        return nil
    }

    /// The GGUF name of the stored type, for error messages.
    var typeName: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .uint32: "uint32"
        case .int32: "int32"
        case .uint64: "uint64"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        case .bool: "bool"
        case .string: "string"
        case .array: "array"
        }
    }
}
