import Foundation
import Inference
import Testing

/// Every way a safetensors header can be wrong is rejected with the right code, file and tensor.
@Suite struct SafetensorsHeaderTests {
    private static func valid() -> SafetensorsBuilder {
        var b = SafetensorsBuilder()
        b.addFloats("a", shape: [2, 3], [1, 2, 3, 4, 5, 6])
        b.addFloats("b", shape: [3], [7, 8, 9])
        return b
    }

    private static func parse(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsHeader {
        let copy = bytes
        let result = copy.withUnsafeBytes { buffer in
            Result { () throws(SafetensorsError) in try SafetensorsHeader.parse(buffer, file: "test.safetensors") }
        }
        return try result.get()
    }

    private static func code(of bytes: [UInt8]) -> SafetensorsError? {
        do {
            _ = try parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    private static func withEntries(_ edit: (inout [SafetensorsBuilder.Entry]) -> Void) -> [UInt8] {
        var b = valid()
        edit(&b.entries)
        return b.bytes()
    }

    // MARK: Tests

    @Test func parsesAValidFile() throws {
        let header = try Self.parse(Self.valid().bytes(header: nil))
        #expect(header.tensors["a"]?.shape == [2, 3])
        #expect(header.tensors["b"]?.byteRange == 24..<36)
    }

    @Test func readsMetadata() throws {
        let b = Self.valid()
        let header = try Self.parse(b.bytes(header: b.headerJSON(metadata: ["format": "pt"])))
        #expect(header.metadata == ["format": "pt"])
    }

    @Test func rejectsFileShorterThanLengthPrefix() {
        #expect(Self.code(of: [1, 2, 3])?.code == .truncatedFile)
        #expect(Self.code(of: [])?.code == .truncatedFile)
    }

    @Test func rejectsHeaderLengthPastTheEnd() {
        let b = Self.valid()
        #expect(Self.code(of: b.bytes(declaredLength: 10_000))?.code == .headerLengthOutOfBounds)
        #expect(Self.code(of: b.bytes(declaredLength: UInt64.max))?.code == .headerLengthOutOfBounds)
        #expect(Self.code(of: Array(b.bytes().prefix(20)))?.code == .headerLengthOutOfBounds)
    }

    @Test(arguments: [
        "{", "{\"a\": }", "[1,2]", "nonsense", "{\"a\": {\"dtype\": \"F32\"}}", "{\"a\": 3}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1.5]}}",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}",
        "{\"__metadata__\":{\"k\":1}}",
    ])
    func rejectsInvalidHeaderJSON(header: String) {
        var b = SafetensorsBuilder()
        b.data = [0, 0, 0, 0]
        #expect(Self.code(of: b.bytes(header: header))?.code == .invalidHeader)
    }

    @Test func rejectsUnknownDType() {
        let error = Self.code(of: Self.withEntries { $0[1].dtype = "F8_E4M3" })
        #expect(error?.code == .unknownDType)
        #expect(error?.tensor == "b")
        #expect(error?.description.contains("test.safetensors") == true)
    }

    @Test func rejectsShapeThatDisagreesWithByteRange() {
        #expect(Self.code(of: Self.withEntries { $0[0].shape = [2, 2] })?.code == .sizeMismatch)
        #expect(Self.code(of: Self.withEntries { $0[0].shape = [-2, -3] })?.code == .sizeMismatch)
        #expect(Self.code(of: Self.withEntries { $0[0].shape = [Int.max / 2, 4] })?.code == .sizeMismatch)
    }

    @Test func rejectsOffsetsOutsideTheDataSection() {
        #expect(Self.code(of: Self.withEntries { $0[1].offsets = [24, 40] })?.code == .offsetsOutOfRange)
        #expect(Self.code(of: Self.withEntries { $0[1].offsets = [36, 24] })?.code == .offsetsOutOfRange)
        #expect(Self.code(of: Self.withEntries { $0[1].offsets = [-4, 8] })?.code == .offsetsOutOfRange)
    }

    @Test func rejectsOverlappingTensors() {
        let error = Self.code(
            of: Self.withEntries { entries in
                entries[1].offsets = [20, 32]
            })
        #expect(error?.code == .overlappingTensors)
    }

    @Test func rejectsBytesBelongingToNoTensor() {
        var b = Self.valid()
        b.data += [0, 0, 0, 0]
        #expect(Self.code(of: b.bytes())?.code == .unusedBytes)
        var gap = SafetensorsBuilder()
        gap.addFloats("a", shape: [1], [1])
        gap.addFloats("b", shape: [1], [2])
        gap.entries[1].offsets = [8, 12]
        gap.data += [0, 0, 0, 0]
        #expect(Self.code(of: gap.bytes())?.code == .unusedBytes)
    }

    @Test func acceptsEmptyTensorsAndScalars() throws {
        var b = SafetensorsBuilder()
        b.addFloats("scalar", shape: [], [3])
        b.addFloats("empty", shape: [0, 5], [])
        let header = try Self.parse(b.bytes())
        #expect(header.tensors["scalar"]?.elementCount == 1)
        #expect(header.tensors["empty"]?.elementCount == 0)
    }
}
