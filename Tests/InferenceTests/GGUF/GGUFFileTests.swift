import Foundation
import Inference
import Testing

/// The committed fixture made by `Ops/fixtures/make_gguf_fixtures.py` with gguf-py: dequantisation
/// must match `gguf.quants.dequantize` bit for bit, and metadata must read back exactly.
@Suite struct GGUFFileTests {
    private static let directory = "gguf-quant"
    private static let readableTensors = ["f32.weight", "f16.weight", "bf16.weight", "q8_0.weight", "q4_0.weight", "q4_1.weight", "cube.weight"]

    private struct Expected: Decodable {
        struct Tensor: Decodable {
            let type: String
            let shape: [Int]
        }
        struct TypeSize: Decodable {
            let name: String
            let block: Int
            let bytes: Int
        }
        let version: Int
        let alignment: Int
        let metadata: [String: TypedValue]
        let tensors: [String: Tensor]
        let type_sizes: [String: TypeSize]
    }

    /// A metadata value as the fixture script writes it: `{"type": "uint8", "value": 200}`.
    private struct TypedValue: Decodable {
        let value: GGUFValue

        private enum Keys: String, CodingKey { case type, value }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            let type = try c.decode(String.self, forKey: .type)
            switch type {
            case "uint8": value = .uint8(try c.decode(UInt8.self, forKey: .value))
            case "int8": value = .int8(try c.decode(Int8.self, forKey: .value))
            case "uint16": value = .uint16(try c.decode(UInt16.self, forKey: .value))
            case "int16": value = .int16(try c.decode(Int16.self, forKey: .value))
            case "uint32": value = .uint32(try c.decode(UInt32.self, forKey: .value))
            case "int32": value = .int32(try c.decode(Int32.self, forKey: .value))
            case "uint64": value = .uint64(try c.decode(UInt64.self, forKey: .value))
            case "int64": value = .int64(try c.decode(Int64.self, forKey: .value))
            case "float32": value = .float32(Float(try c.decode(Double.self, forKey: .value)))
            case "float64": value = .float64(try c.decode(Double.self, forKey: .value))
            case "bool": value = .bool(try c.decode(Bool.self, forKey: .value))
            case "string": value = .string(try c.decode(String.self, forKey: .value))
            case "array": value = .array(try c.decode([TypedValue].self, forKey: .value).map(\.value))
            default: throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown type \(type)")
            }
        }
    }

    private static func open() throws -> GGUFFile { try GGUFFile(path: FixtureFiles.path(directory + "/quant.gguf")) }
    private static func expected() throws -> Expected { try FixtureFiles.json(directory + "/expected.json", as: Expected.self) }

    // MARK: Tests

    @Test(arguments: readableTensors)
    func dequantisesBitExactlyLikeGGUFPy(name: String) throws {
        let file = try Self.open()
        let reference = try SafetensorsFile(path: FixtureFiles.path(Self.directory + "/expected.safetensors"))
        let info = try #require(file.tensors[name])
        #expect(info.shape == reference.tensors[name]?.shape)
        let actual = try file.floats(name)
        let expected = try reference.floats(name)
        #expect(actual.count == info.elementCount)
        let mismatches = zip(actual, expected).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(mismatches.isEmpty, "first mismatches (index, got, want): \(mismatches.prefix(5).map { ($0.offset, $0.element.0, $0.element.1) })")
    }

    @Test func readsMetadataExactly() throws {
        let file = try Self.open()
        let expected = try Self.expected()
        #expect(file.version == expected.version)
        #expect(file.alignment == expected.alignment)
        #expect(file.dataOffset % expected.alignment == 0)
        #expect(Set(file.metadata.keys) == Set(expected.metadata.keys))
        for (key, value) in expected.metadata {
            #expect(file.metadata[key] == value.value, "key \(key)")
        }
    }

    @Test func readsTensorTypesAndShapes() throws {
        let file = try Self.open()
        let expected = try Self.expected()
        #expect(Set(file.tensors.keys) == Set(expected.tensors.keys))
        for (name, tensor) in expected.tensors {
            let info = try #require(file.tensors[name])
            #expect("\(info.type)" == tensor.type, "tensor \(name)")
            #expect(info.shape == tensor.shape, "tensor \(name)")
            #expect(info.dimensions == tensor.shape.reversed())
            #expect(info.offset % file.alignment == 0)
            #expect(info.name == name)
        }
    }

    @Test func typeTableMatchesGGUFPy() throws {
        let sizes = try Self.expected().type_sizes
        #expect(sizes.count == GGMLType.allCases.count)
        for (id, size) in sizes {
            let raw = try #require(UInt32(id))
            let type = try #require(GGMLType(rawValue: raw), "type id \(id)")
            #expect("\(type)".lowercased() == size.name.lowercased())
            #expect(type.blockSize == size.block, "\(type)")
            #expect(type.blockByteCount == size.bytes, "\(type)")
        }
    }

    @Test func metadataAccessorsConvertAndNameTheKey() throws {
        let file = try Self.open()
        #expect(try file.int("fixture.u8") == 200)
        #expect(try file.int("fixture.i64") == Int(Int64.min))
        #expect(try file.optionalInt("absent") == nil)
        #expect(try file.float("fixture.f32") == Double(Float(0.1)))
        #expect(try file.float("fixture.u32") == 4_000_000_000)
        #expect(try file.optionalFloat("absent") == nil)
        #expect(try file.string("fixture.string") == "héllo, wörld ✨")
        #expect(try file.optionalString("absent") == nil)
        #expect(try file.optionalBool("fixture.bool") == true)
        #expect(try file.strings("fixture.strings") == ["a", "", "ünïcode", "<0x0A>"])
        #expect(try file.optionalInts("fixture.ints") == [1, -2, 3])
        #expect(try file.optionalInts("absent") == nil)
        for (key, call) in [
            ("fixture.u64", { () throws(GGUFError) in _ = try file.int("fixture.u64") }),
            ("fixture.string", { () throws(GGUFError) in _ = try file.float("fixture.string") }),
            ("fixture.u8", { () throws(GGUFError) in _ = try file.optionalBool("fixture.u8") }),
            ("fixture.ints", { () throws(GGUFError) in _ = try file.strings("fixture.ints") }),
            ("fixture.nested", { () throws(GGUFError) in _ = try file.optionalInts("fixture.nested") }),
        ] {
            let error = #expect(throws: GGUFError.self) { try call() }
            #expect(error?.code == .wrongKeyType)
            #expect(error?.key == key)
            #expect(error?.description.contains(key) == true)
        }
        let missing = #expect(throws: GGUFError.self) { try file.string("llama.block_count") }
        #expect(missing?.code == .missingKey)
        #expect(missing?.description.contains("llama.block_count") == true)
    }

    @Test func refusesTypesItCannotDequantise() throws {
        let file = try Self.open()
        #expect(file.tensors["q5_0.weight"]?.type == .q5_0)
        let unsupported = #expect(throws: GGUFError.self) { try file.floats("q5_0.weight") }
        #expect(unsupported?.code == .unsupportedType)
        #expect(unsupported?.tensor == "q5_0.weight")
        #expect(unsupported?.description.contains("q5_0") == true)
        let missing = #expect(throws: GGUFError.self) { try file.floats("absent.weight") }
        #expect(missing?.code == .missingTensor)
        #expect(missing?.file == file.path)
    }
}
