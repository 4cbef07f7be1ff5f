import Foundation
import Inference
import Testing

/// Reading tensors from files on disk: dtype conversion, truncation, sharded checkpoints.
@Suite struct SafetensorsFileTests {
    private static func file(_ builder: SafetensorsBuilder, name: String = "model.safetensors", in directory: String? = nil) throws -> String {
        let dir = try directory ?? SafetensorsBuilder.temporaryDirectory()
        try SafetensorsBuilder.write(builder.bytes(), to: dir + "/" + name)
        return dir + "/" + name
    }

    // MARK: Tests

    @Test func readsF32F16AndBF16AsFloat() throws {
        var b = SafetensorsBuilder()
        b.addFloats("f32", shape: [2], [1.5, -2.25])
        let halves: [Float16] = [0.5, -3]
        b.addRaw("f16", dtype: "F16", shape: [2], halves.flatMap { h in withUnsafeBytes(of: h.bitPattern.littleEndian) { Array($0) } })
        let bf16: [UInt16] = [0x3FC0, 0xC040]  // 1.5, -3.0
        b.addRaw("bf16", dtype: "BF16", shape: [2], bf16.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } })
        b.addRaw("ids", dtype: "I64", shape: [1], [1, 0, 0, 0, 0, 0, 0, 0])
        let file = try SafetensorsFile(path: try Self.file(b))
        #expect(try file.floats("f32") == [1.5, -2.25])
        #expect(try file.floats("f16") == [0.5, -3])
        #expect(try file.floats("bf16") == [1.5, -3])
        #expect(throws: SafetensorsError.self) { try file.floats("ids") }
        #expect(throws: SafetensorsError.self) { try file.floats("absent") }
    }

    @Test func truncatedFileNamesTheFile() throws {
        var b = SafetensorsBuilder()
        b.addFloats("w", shape: [4], [1, 2, 3, 4])
        let path = try SafetensorsBuilder.temporaryDirectory() + "/cut.safetensors"
        try SafetensorsBuilder.write(Array(b.bytes().dropLast(3)), to: path)
        do {
            _ = try SafetensorsFile(path: path)
            Issue.record("a truncated file was accepted")
        } catch {
            #expect(error.code == .offsetsOutOfRange)
            #expect(error.file == path)
            #expect(error.tensor == "w")
        }
    }

    @Test func missingAndEmptyFilesAreErrors() throws {
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(path: "/nonexistent/model.safetensors") }
        let empty = try SafetensorsBuilder.temporaryDirectory() + "/empty.safetensors"
        try SafetensorsBuilder.write([], to: empty)
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(path: empty) }
    }

    @Test func readsShardedCheckpoints() throws {
        let dir = try SafetensorsBuilder.temporaryDirectory()
        var first = SafetensorsBuilder()
        first.addFloats("a", shape: [1], [1])
        var second = SafetensorsBuilder()
        second.addFloats("b", shape: [1], [2])
        _ = try Self.file(first, name: "model-00001-of-00002.safetensors", in: dir)
        _ = try Self.file(second, name: "model-00002-of-00002.safetensors", in: dir)
        let index = #"{"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}"#
        try index.write(toFile: dir + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        let weights = try CheckpointWeights(directory: dir)
        #expect(weights.names == ["a", "b"])
        #expect(try weights.floats("b") == [2])
    }

    @Test(arguments: [
        #"{"weight_map":{"a":"model-00002-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}}"#,
        #"{"weight_map":{"a":"../model-00001-of-00002.safetensors"}}"#,
        #"{"weight_map":{"a":"missing.safetensors"}}"#,
        #"{"weight_map":{"a":"config.json"}}"#,
        #"{"weights":{}}"#,
    ])
    func rejectsInconsistentShardIndexes(index: String) throws {
        let dir = try SafetensorsBuilder.temporaryDirectory()
        var first = SafetensorsBuilder()
        first.addFloats("a", shape: [1], [1])
        var second = SafetensorsBuilder()
        second.addFloats("b", shape: [1], [2])
        _ = try Self.file(first, name: "model-00001-of-00002.safetensors", in: dir)
        _ = try Self.file(second, name: "model-00002-of-00002.safetensors", in: dir)
        try index.write(toFile: dir + "/model.safetensors.index.json", atomically: true, encoding: .utf8)
        #expect(throws: SafetensorsError.self) { try CheckpointWeights(directory: dir) }
    }
}
