extension GGUFCursor {
    /// Arrays of arrays are legal GGUF, but no writer nests deeper than two; the bound keeps a
    /// hostile file from driving the recursion arbitrarily deep.
    static let maximumArrayDepth = 8
    /// The largest tokenizers hold about a million array elements (tokens, scores, types, merges). The
    /// cap bounds the memory a corrupt length field can claim: each element costs ~24 bytes as a
    /// ``GGUFValue``, far more than the 1–4 bytes it may take in the file.
    static let maximumArrayElements = 1 << 24

    /// Reads one metadata value of GGUF value type `type` (0…12).
    mutating func value(type: UInt32, depth: Int = 0) throws(GGUFError) -> GGUFValue {
        switch type {
        case 0: return .uint8(try read(UInt8.self, "uint8 value"))
        case 1: return .int8(try read(Int8.self, "int8 value"))
        case 2: return .uint16(try read(UInt16.self, "uint16 value"))
        case 3: return .int16(try read(Int16.self, "int16 value"))
        case 4: return .uint32(try read(UInt32.self, "uint32 value"))
        case 5: return .int32(try read(Int32.self, "int32 value"))
        case 6: return .float32(Float(bitPattern: try read(UInt32.self, "float32 value")))
        case 7:
            let start = offset
            let byte = try read(UInt8.self, "bool value")
            guard byte <= 1 else { throw error(.invalidMetadata, "bool at byte \(start) is \(byte), not 0 or 1") }
            return .bool(byte == 1)
        case 8: return .string(try string("string value", invalid: .invalidMetadata))
        case 9: return .array(try array(depth: depth + 1))
        case 10: return .uint64(try read(UInt64.self, "uint64 value"))
        case 11: return .int64(try read(Int64.self, "int64 value"))
        case 12: return .float64(Double(bitPattern: try read(UInt64.self, "float64 value")))
        default: throw error(.invalidMetadata, "unknown value type \(type) before byte \(offset)")
        }
    }

    private mutating func array(depth: Int) throws(GGUFError) -> [GGUFValue] {
        guard depth <= Self.maximumArrayDepth else {
            throw error(.invalidMetadata, "arrays nested deeper than \(Self.maximumArrayDepth) levels at byte \(offset)")
        }
        let typeOffset = offset
        let elementType = try read(UInt32.self, "array element type")
        guard let minimumSize = Self.minimumSize(ofValueType: elementType) else {
            throw error(.invalidMetadata, "unknown array element type \(elementType) at byte \(typeOffset)")
        }
        let count = try self.count("array length", minimumSize: minimumSize)
        guard count <= Self.maximumArrayElements - arrayElements else {
            throw error(.invalidMetadata, "array length \(count) takes the metadata past \(Self.maximumArrayElements) array elements in all")
        }
        arrayElements += count
        var elements: [GGUFValue] = []
        elements.reserveCapacity(Self.reservation(count))
        for _ in 0..<count { elements.append(try value(type: elementType, depth: depth)) }
        return elements
    }

    /// The fewest bytes a value of the type can take (an empty string, an empty array), or nil if unknown.
    static func minimumSize(ofValueType type: UInt32) -> Int? {
        switch type {
        case 0, 1, 7: 1
        case 2, 3: 2
        case 4, 5, 6: 4
        case 8, 10, 11, 12: 8
        case 9: 12
        default: nil
        }
    }
}
