import Foundation
import Inference
import Testing

/// LLaMA and BLOOM configurations the engine cannot run faithfully are refused with the file and the reason.
@Suite struct DecoderConfigurationTests {
    /// Copies a fixture checkpoint to a temporary directory and rewrites its config.json through `edit`.
    private static func editedCopy(_ fixture: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let source = FixtureFiles.path(fixture)
        let dir = try SafetensorsBuilder.temporaryDirectory()
        for file in try FileManager.default.contentsOfDirectory(atPath: source) where !file.hasPrefix("expected") {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: dir + "/" + file)
        }
        let configPath = dir + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        return dir
    }

    private static func loadError(_ directory: String) -> String? {
        do {
            _ = try Checkpoint(path: directory)
            return nil
        } catch {
            return "\(error)"
        }
    }

    // MARK: Tests

    @Test func unmodifiedCopiesLoad() throws {
        #expect(Self.loadError(try Self.editedCopy("tiny-llama") { _ in }) == nil)
        #expect(Self.loadError(try Self.editedCopy("tiny-bloom") { _ in }) == nil)
    }

    @Test func llamaRefusals() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("num_key_value_heads", { $0["num_key_value_heads"] = 4 }),
            ("rope scaling 'yarn'", { $0["rope_parameters"] = ["rope_type": "yarn", "rope_theta": 5000.0, "factor": 4.0] }),
            ("rope scaling 'linear'", { $0["rope_scaling"] = ["type": "linear", "factor": 2.0] }),
            ("hidden_act 'gelu'", { $0["hidden_act"] = "gelu" }),
            ("sizes must be positive", { $0["intermediate_size"] = 0 }),
            ("missing 'num_hidden_layers'", { $0["num_hidden_layers"] = nil }),
            ("shape", { $0["intermediate_size"] = 38 }),
        ]
        for (expected, edit) in cases {
            let dir = try Self.editedCopy("tiny-llama", edit)
            let error = Self.loadError(dir)
            #expect(error?.contains(expected) == true, "expected an error mentioning \(expected), got \(error ?? "none")")
            #expect(error?.contains(dir) == true, "the error names the file: \(error ?? "none")")
        }
    }

    @Test func untiedLlamaWithoutItsHeadIsRefused() throws {
        let dir = try Self.editedCopy("tiny-llama") { _ in }
        let weights = try SafetensorsFile(path: dir + "/model.safetensors")
        var builder = SafetensorsBuilder()
        for name in weights.tensors.keys.sorted() where name != "lm_head.weight" {
            builder.addFloats(name, shape: weights.tensors[name]?.shape ?? [], try weights.floats(name))
        }
        try SafetensorsBuilder.write(builder.bytes(), to: dir + "/model.safetensors")
        let error = Self.loadError(dir)
        #expect(error?.contains("lm_head.weight") == true, "\(error ?? "none")")
    }

    @Test func bloomRefusals() throws {
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("not divisible by n_head", { $0["n_head"] = 5 }),
            (
                "missing 'n_layer'",
                {
                    $0["n_layer"] = nil; $0["num_hidden_layers"] = nil
                }
            ),
            (
                "slow_but_exact",
                {
                    $0["slow_but_exact"] = true; $0["pretraining_tp"] = 2
                }
            ),
            ("shape", { $0["hidden_size"] = 48 }),
        ]
        for (expected, edit) in cases {
            let error = Self.loadError(try Self.editedCopy("tiny-bloom", edit))
            #expect(error?.contains(expected) == true, "expected an error mentioning \(expected), got \(error ?? "none")")
        }
    }
}
