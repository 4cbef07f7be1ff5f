import Foundation
import Inference

/// Writes GGUF images for tests, including deliberately malformed ones: every field the reader
/// validates can be set to any value.
struct GGUFBuilder {
    struct Tensor {
        var name: [UInt8]
        /// GGUF order, ne[0] first.
        var dimensions: [UInt64]
        var type: UInt32
        var offset: UInt64
        var data: [UInt8]
    }

    var magic = Array("GGUF".utf8)
    var version: UInt32 = 3
    /// Encoded key-value pairs (key string, value type, value), written in order.
    var pairs: [[UInt8]] = []
    var tensors: [Tensor] = []
    /// Used to lay out the data section; write `general.alignment` yourself to change the file's.
    var alignment = 32
    var tensorCount: UInt64?
    var pairCount: UInt64?

    // MARK: Encoding

    static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func string(_ bytes: [UInt8]) -> [UInt8] { u64(UInt64(bytes.count)) + bytes }
    static func string(_ s: String) -> [UInt8] { string(Array(s.utf8)) }

    /// The value type id and payload of `value`; arrays take their element type from the first element.
    static func typed(_ value: GGUFValue) -> [UInt8] {
        let (type, payload) = encode(value)
        return u32(type) + payload
    }

    static func encode(_ value: GGUFValue) -> (UInt32, [UInt8]) {
        switch value {
        case .uint8(let v): (0, [v])
        case .int8(let v): (1, [UInt8(bitPattern: v)])
        case .uint16(let v): (2, withUnsafeBytes(of: v.littleEndian) { Array($0) })
        case .int16(let v): (3, withUnsafeBytes(of: v.littleEndian) { Array($0) })
        case .uint32(let v): (4, u32(v))
        case .int32(let v): (5, u32(UInt32(bitPattern: v)))
        case .float32(let v): (6, u32(v.bitPattern))
        case .bool(let v): (7, [v ? 1 : 0])
        case .string(let v): (8, string(v))
        case .array(let elements):
            (9, u32(elements.first.map { encode($0).0 } ?? 0) + u64(UInt64(elements.count)) + elements.flatMap { encode($0).1 })
        case .uint64(let v): (10, u64(v))
        case .int64(let v): (11, u64(UInt64(bitPattern: v)))
        case .float64(let v): (12, u64(v.bitPattern))
        }
    }

    // MARK: Building

    mutating func add(_ key: String, _ value: GGUFValue) { pairs.append(Self.string(key) + Self.typed(value)) }

    /// Adds a tensor at the next aligned offset of the data section.
    mutating func addTensor(_ name: String, dimensions: [UInt64], type: GGMLType, data: [UInt8]) {
        let end = tensors.map { Int($0.offset) + $0.data.count }.max() ?? 0
        let offset = (end + alignment - 1) / alignment * alignment
        tensors.append(Tensor(name: Array(name.utf8), dimensions: dimensions, type: type.rawValue, offset: UInt64(offset), data: data))
    }

    /// Adds an F32 tensor of the given values.
    mutating func addFloats(_ name: String, dimensions: [UInt64], _ values: [Float]) {
        addTensor(name, dimensions: dimensions, type: .f32, data: values.flatMap { Self.u32($0.bitPattern) })
    }

    /// The header up to the end of the tensor infos.
    func header() -> [UInt8] {
        var out = magic + Self.u32(version)
        out += Self.u64(tensorCount ?? UInt64(tensors.count)) + Self.u64(pairCount ?? UInt64(pairs.count))
        for pair in pairs { out += pair }
        for t in tensors {
            out += Self.string(t.name) + Self.u32(UInt32(t.dimensions.count))
            for d in t.dimensions { out += Self.u64(d) }
            out += Self.u32(t.type) + Self.u64(t.offset)
        }
        return out
    }

    /// The whole file: header, padding to the alignment, then each tensor's bytes at its offset
    /// (skipping tensors placed absurdly far, whose data a test means to be missing).
    func bytes() -> [UInt8] {
        var out = header()
        while out.count % alignment != 0 { out.append(0) }
        let dataStart = out.count
        for t in tensors where t.offset < 1 << 24 {
            let start = dataStart + Int(t.offset)
            if out.count < start + t.data.count { out += [UInt8](repeating: 0, count: start + t.data.count - out.count) }
            out.replaceSubrange(start..<(start + t.data.count), with: t.data)
        }
        return out
    }

    /// A small valid file: two F32 tensors and a few keys.
    static func valid() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.add("general.architecture", .string("test"))
        b.add("test.count", .uint32(7))
        b.addFloats("a", dimensions: [3, 2], [1, 2, 3, 4, 5, 6])
        b.addFloats("b", dimensions: [4], [7, 8, 9, 10])
        return b
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "gguf-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `bytes` to a fresh file (atomically, so a mapping of an earlier version stays intact).
    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
