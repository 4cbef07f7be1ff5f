import Foundation
import Inference
import Testing

/// Every way a GGUF header can be wrong is rejected with the right code, naming the file (and the
/// tensor or key where there is one).
@Suite struct GGUFHeaderTests {
    private static func error(_ bytes: [UInt8], name: String = "bad.gguf") throws -> GGUFError? {
        let directory = try GGUFBuilder.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + name
        try GGUFBuilder.write(bytes, to: path)
        do {
            _ = try GGUFFile(path: path)
            return nil
        } catch {
            #expect(error.file == path)
            #expect(error.description.contains(path))
            #expect(!error.detail.isEmpty)
            return error
        }
    }

    private static func error(_ edit: (inout GGUFBuilder) -> Void) throws -> GGUFError? {
        var b = GGUFBuilder.valid()
        edit(&b)
        return try error(b.bytes())
    }

    /// Like `error(_:)`, but cut to the valid file's length, so moved or grown tensors lose their bytes.
    private static func errorKeepingLength(_ edit: (inout GGUFBuilder) -> Void) throws -> GGUFError? {
        var b = GGUFBuilder.valid()
        edit(&b)
        return try error(Array(b.bytes().prefix(GGUFBuilder.valid().bytes().count)))
    }

    // MARK: Tests

    @Test func opensAValidFile() throws {
        let path = try GGUFBuilder.temporaryDirectory() + "/valid.gguf"
        try GGUFBuilder.write(GGUFBuilder.valid().bytes(), to: path)
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.tensors["a"]?.shape == [2, 3])
        #expect(file.tensors["a"]?.byteCount == 24)
        #expect(file.tensors["b"]?.offset == 32)
        #expect(try file.floats("a") == [1, 2, 3, 4, 5, 6])
        #expect(try file.int("test.count") == 7)
    }

    @Test func acceptsVersion2ScalarsAndTypesItCannotDequantise() throws {
        var b = GGUFBuilder.valid()
        b.version = 2
        b.addTensor("scalar", dimensions: [], type: .f32, data: GGUFBuilder.u32(Float(2.5).bitPattern))
        b.addTensor("ids", dimensions: [2], type: .i32, data: [1, 0, 0, 0, 2, 0, 0, 0])
        b.addTensor("k", dimensions: [256], type: .q4_K, data: [UInt8](repeating: 0, count: 144))
        #expect(try Self.error(b.bytes()) == nil)
    }

    @Test func rejectsEveryTruncationOfTheFixture() throws {
        let fixture = FixtureFiles.path("gguf-quant/quant.gguf")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture)))
        let file = try GGUFFile(path: fixture)
        let dataOffset = file.dataOffset
        let dataEnd = file.tensors.values.map { dataOffset + $0.offset + $0.byteCount }.max() ?? 0
        for cut in 0..<bytes.count {
            let error = try Self.error(Array(bytes.prefix(cut)))
            if cut >= dataEnd {
                #expect(error == nil, "cut at \(cut) only removes padding after the last tensor")
            } else if cut < dataOffset - 64 {
                #expect(error?.code == .truncated, "cut at \(cut)")
            } else if cut >= dataOffset {
                #expect(error?.code == .outOfRange, "cut at \(cut)")
                #expect(error?.tensor != nil)
            } else {
                #expect(error?.code == .truncated || error?.code == .outOfRange, "cut at \(cut)")
            }
        }
    }

    @Test(arguments: ["GGUX", "GGML", "GGJT", "\0\0\0\0"])
    func rejectsBadMagic(magic: String) throws {
        #expect(try Self.error { $0.magic = Array(magic.utf8) }?.code == .badMagic)
    }

    @Test(arguments: [0, 1, 4, 99, 0x0300_0000, UInt32.max])
    func rejectsUnsupportedVersions(version: UInt32) throws {
        let error = try Self.error { $0.version = version }
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.detail.contains("\(version)") == true)
    }

    @Test func rejectsStringLengthsPastTheEnd() throws {
        let key = try Self.error { $0.pairs[1] = GGUFBuilder.u64(1 << 40) + Array("test.count".utf8) }
        #expect(key?.code == .truncated)
        let value = try Self.error { $0.pairs[0] = GGUFBuilder.string("k") + GGUFBuilder.u32(8) + GGUFBuilder.u64(UInt64.max) }
        #expect(value?.code == .truncated)
        #expect(value?.key == "k")
        let name = try Self.error { $0.tensors[0].name = [] }
        #expect(name?.code == .invalidTensorInfo)
    }

    @Test(arguments: [UInt64(1 << 20), 1 << 62, UInt64(Int.max), UInt64.max])
    func rejectsCountsTheFileCannotHold(count: UInt64) throws {
        #expect(try Self.error { $0.tensorCount = count }?.code == .truncated)
        #expect(try Self.error { $0.pairCount = count }?.code == .truncated)
        // An array length too large for the bytes left is caught before anything is allocated.
        let array = try Self.error {
            $0.pairs[0] = GGUFBuilder.string("k") + GGUFBuilder.u32(9) + GGUFBuilder.u32(0) + GGUFBuilder.u64(max(count, 1000))
        }
        #expect(array?.code == .truncated)
    }

    @Test func rejectsBadDimensions() throws {
        let five = try Self.error { $0.tensors[1].dimensions = [1, 1, 1, 1, 4] }
        #expect(five?.code == .invalidTensorInfo)
        #expect(five?.tensor == "b")
        #expect(try Self.error { $0.tensors[0].dimensions = [3, 0] }?.code == .invalidTensorInfo)
        #expect(try Self.error { $0.tensors[0].dimensions = [1 << 32, 1 << 32, 1 << 32] }?.code == .invalidTensorInfo)
        #expect(try Self.error { $0.tensors[0].dimensions = [UInt64.max] }?.code == .invalidTensorInfo)
        #expect(try Self.error { $0.tensors[0].dimensions = [1 << 62] }?.code == .invalidTensorInfo)
        let block = try Self.error { $0.addTensor("q", dimensions: [16], type: .q8_0, data: [UInt8](repeating: 0, count: 34)) }
        #expect(block?.code == .invalidTensorInfo)
        #expect(block?.tensor == "q")
    }

    @Test(arguments: [UInt32(13), 255, UInt32.max])
    func rejectsUnknownValueTypes(type: UInt32) throws {
        let value = try Self.error { $0.pairs[1] = GGUFBuilder.string("test.count") + GGUFBuilder.u32(type) + [0, 0, 0, 0] }
        #expect(value?.code == .invalidMetadata)
        #expect(value?.key == "test.count")
        let element = try Self.error {
            $0.pairs[1] = GGUFBuilder.string("test.count") + GGUFBuilder.u32(9) + GGUFBuilder.u32(type) + GGUFBuilder.u64(0)
        }
        #expect(element?.code == .invalidMetadata)
    }

    @Test func rejectsMalformedMetadataValues() throws {
        #expect(try Self.error { $0.pairs[1] = GGUFBuilder.string("flag") + GGUFBuilder.u32(7) + [2] }?.code == .invalidMetadata)
        #expect(try Self.error { $0.pairs[1] = GGUFBuilder.string([0x66, 0xFF, 0x6F]) + GGUFBuilder.typed(.uint8(1)) }?.code == .invalidMetadata)
        #expect(try Self.error { $0.pairs[1] = GGUFBuilder.string("") + GGUFBuilder.typed(.uint8(1)) }?.code == .invalidMetadata)
        #expect(try Self.error { $0.pairs[1] = GGUFBuilder.string("s") + GGUFBuilder.u32(8) + GGUFBuilder.string([0xC3]) }?.code == .invalidMetadata)
    }

    @Test func boundsArrayNesting() throws {
        func nested(_ depth: Int) -> GGUFValue { depth == 1 ? .array([.uint8(1)]) : .array([nested(depth - 1)]) }
        #expect(try Self.error { $0.add("deep", nested(8)) } == nil)
        let error = try Self.error { $0.add("deep", nested(9)) }
        #expect(error?.code == .invalidMetadata)
        #expect(error?.key == "deep")
    }

    @Test(arguments: [UInt32(4), 5, 31, 36, 42, 1000, UInt32.max])
    func rejectsUnknownGGMLTypes(type: UInt32) throws {
        let error = try Self.error { $0.tensors[1].type = type }
        #expect(error?.code == .unknownType)
        #expect(error?.tensor == "b")
    }

    @Test func rejectsMisalignedOffsets() throws {
        let error = try Self.error { $0.tensors[1].offset = 28 }
        #expect(error?.code == .misaligned)
        #expect(error?.tensor == "b")
    }

    @Test func rejectsTensorsOutsideTheFile() throws {
        #expect(try Self.errorKeepingLength { $0.tensors[1].offset = 64 }?.code == .outOfRange)
        #expect(try Self.errorKeepingLength { $0.tensors[1].offset = 32 + 1 << 20 }?.code == .outOfRange)
        #expect(try Self.error { $0.tensors[1].offset = 1 << 62 }?.code == .outOfRange)
        #expect(try Self.error { $0.tensors[1].offset = UInt64.max - 31 }?.code == .outOfRange)
        let grown = try Self.errorKeepingLength { $0.tensors[1].dimensions = [12] }
        #expect(grown?.code == .outOfRange)
        #expect(grown?.tensor == "b")
    }

    @Test func rejectsOverlappingTensors() throws {
        let error = try Self.error { $0.tensors[1].offset = 0 }
        #expect(error?.code == .overlap)
        #expect(error?.description.contains("'a'") == true)
        #expect(error?.description.contains("'b'") == true)
    }

    @Test func rejectsDuplicates() throws {
        let key = try Self.error { $0.add("test.count", .uint32(8)) }
        #expect(key?.code == .invalidMetadata)
        #expect(key?.key == "test.count")
        let tensor = try Self.error { $0.addFloats("a", dimensions: [1], [0]) }
        #expect(tensor?.code == .invalidTensorInfo)
        #expect(tensor?.tensor == "a")
    }

    @Test func rejectsInvalidTensorNames() throws {
        #expect(try Self.error { $0.tensors[0].name = [0x61, 0xC0, 0x80] }?.code == .invalidTensorInfo)
    }

    @Test(arguments: [GGUFValue.uint32(0), .uint32(3), .uint32(48), .uint64(64), .int32(64), .string("64")])
    func rejectsBadAlignment(alignment: GGUFValue) throws {
        let error = try Self.error { $0.add("general.alignment", alignment) }
        #expect(error?.code == .invalidMetadata)
        #expect(error?.key == "general.alignment")
    }

    @Test func honoursAlignment() throws {
        var b = GGUFBuilder.valid()
        b.alignment = 256
        b.tensors = []
        b.add("general.alignment", .uint32(256))
        b.addFloats("a", dimensions: [2], [1, 2])
        b.addFloats("b", dimensions: [2], [3, 4])
        let path = try GGUFBuilder.temporaryDirectory() + "/aligned.gguf"
        try GGUFBuilder.write(b.bytes(), to: path)
        let file = try GGUFFile(path: path)
        #expect(file.alignment == 256)
        #expect(file.dataOffset == 256)
        #expect(try file.floats("b") == [3, 4])
        #expect(
            try Self.error {
                $0.add("general.alignment", .uint32(64)); $0.tensors[1].offset = 32
            }?.code == .misaligned)
    }

    @Test func reportsUnreadableFiles() throws {
        let error = #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        #expect(error?.code == .unreadableFile)
        #expect(error?.file == "/nonexistent/model.gguf")
        #expect(try Self.error([])?.code == .truncated)
    }
}
