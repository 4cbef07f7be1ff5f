import Foundation
import Inference
import Testing

/// Strict weight binding: a checkpoint with a missing, extra or misshapen tensor does not load.
@Suite struct WeightBindingTests {
    /// Copies tiny-bert to a temporary directory, rewriting its weights through `edit`.
    private static func editedCheckpoint(_ edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void) throws -> String {
        let source = FixtureFiles.path("tiny-bert")
        let dir = try SafetensorsBuilder.temporaryDirectory()
        for file in ["config.json", "tokenizer.json"] {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: dir + "/" + file)
        }
        let original = try SafetensorsFile(path: source + "/model.safetensors")
        var tensors = try original.tensors.keys.sorted().map { name in
            (name: name, shape: original.tensors[name]?.shape ?? [], values: try original.floats(name))
        }
        edit(&tensors)
        var builder = SafetensorsBuilder()
        for t in tensors { builder.addFloats(t.name, shape: t.shape, t.values) }
        try SafetensorsBuilder.write(builder.bytes(), to: dir + "/model.safetensors")
        return dir
    }

    private static func loadError(_ directory: String) -> SafetensorsError? {
        do {
            _ = try BERT(directory: directory)
            return nil
        } catch let error as SafetensorsError {
            return error
        } catch {
            return nil
        }
    }

    // MARK: Tests

    @Test func unmodifiedCopyLoads() throws {
        #expect(Self.loadError(try Self.editedCheckpoint { _ in }) == nil)
    }

    @Test func missingTensorIsNamed() throws {
        let error = Self.loadError(try Self.editedCheckpoint { $0.removeAll { $0.name == "bert.encoder.layer.1.output.dense.bias" } })
        #expect(error?.code == .missingTensor)
        #expect(error?.tensor == "bert.encoder.layer.1.output.dense.bias")
    }

    @Test func unexpectedTensorIsNamed() throws {
        let error = Self.loadError(try Self.editedCheckpoint { $0.append((name: "bert.encoder.layer.9.extra", shape: [1], values: [0])) })
        #expect(error?.code == .unexpectedTensor)
        #expect(error?.tensor == "bert.encoder.layer.9.extra")
    }

    @Test func shapeDisagreeingWithConfigIsNamed() throws {
        let error = Self.loadError(
            try Self.editedCheckpoint { tensors in
                if let i = tensors.firstIndex(where: { $0.name == "bert.embeddings.LayerNorm.bias" }) {
                    tensors[i] = (name: tensors[i].name, shape: [5, 9], values: tensors[i].values)
                }
            })
        #expect(error?.code == .shapeMismatch)
        #expect(error?.tensor == "bert.embeddings.LayerNorm.bias")
        #expect(error?.description.contains("model.safetensors") == true)
    }

    @Test func unsupportedModelTypeIsAClearError() throws {
        let dir = try Self.editedCheckpoint { _ in }
        try #"{"model_type": "mamba"}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        #expect(throws: ModelError.self) { try LanguageModel(directory: dir) }
    }

    @Test func missingTokenizerIsAClearError() throws {
        let dir = try Self.editedCheckpoint { _ in }
        try FileManager.default.removeItem(atPath: dir + "/tokenizer.json")
        #expect(throws: ModelError.self) { try Checkpoint(directory: dir) }
    }
}
