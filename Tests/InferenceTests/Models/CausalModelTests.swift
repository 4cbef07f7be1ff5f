import Inference
import Testing

/// The tiny random decoders against transformers: GPT-2 (hidden 45, 3 heads), LLaMA (hidden 60, 6 heads over 2
/// key/value heads, rope_theta 5000, untied head), BLOOM (hidden 42, 6 heads — ALiBi's non-power-of-two slopes —
/// weights stored in BF16), and the same LLaMA as a GGUF file with llama.cpp's Q/K permutation and F16 tensors.
@Suite struct CausalModelTests {
    static let fixtures = ["tiny-gpt2", "tiny-llama", "tiny-bloom", "tiny-llama-gguf"]
    private static let tolerance: Float = 1e-4
    /// BLAS blocks a GEMM differently for different row counts, so the same row can round
    /// differently by a few ulps of the logits' magnitude (~10) when its batch changes.
    private static let batchTolerance: Float = 1e-5

    static func load(_ fixture: String) throws -> (any CausalLanguageModel, ReferenceOutputs) {
        let path = fixture.hasSuffix("-gguf") ? FixtureFiles.path(fixture + "/model.gguf") : FixtureFiles.path(fixture)
        let model = try require(try Checkpoint(path: path).model.causal, "\(fixture) is not a causal LM")
        return (model, try ReferenceOutputs(fixture: fixture))
    }

    // MARK: Tests

    @Test(arguments: fixtures) func logitsMatchTransformers(_ fixture: String) throws {
        let (model, reference) = try Self.load(fixture)
        let outputs = try model.logits(reference.metadata.ids, masks: nil)
        for (i, output) in outputs.enumerated() {
            let diff = output.maxAbsDifference(try reference.matrix("logits.\(i)"))
            ParityReport.record(fixture, "logits", Double(diff))
            #expect(diff < Self.tolerance, "\(fixture) text \(i): max abs diff \(diff)")
        }
    }

    @Test(arguments: fixtures) func hiddenStatesMatchTransformers(_ fixture: String) throws {
        let (model, reference) = try Self.load(fixture)
        let outputs = try model.hiddenStates(reference.metadata.ids, masks: nil)
        for (i, output) in outputs.enumerated() {
            let diff = output.maxAbsDifference(try reference.matrix("hidden.\(i)"))
            ParityReport.record(fixture, "hidden states", Double(diff))
            #expect(diff < Self.tolerance, "\(fixture) text \(i): max abs diff \(diff)")
        }
    }

    @Test(arguments: fixtures) func paddedBatchMatchesTransformersAndEachSequenceAlone(_ fixture: String) throws {
        let (model, reference) = try Self.load(fixture)
        let padded = try model.logits(reference.metadata.padded_ids, masks: reference.metadata.padded_mask)
        for (i, output) in padded.enumerated() {
            let length = reference.metadata.ids[i].count
            #expect(output.rows == length)
            let diff = output.maxAbsDifference(try reference.batchItem("padded.logits", i, length: length))
            ParityReport.record(fixture, "padded-batch logits", Double(diff))
            #expect(diff < Self.tolerance, "\(fixture) text \(i): padded vs transformers \(diff)")
            let alone = try model.logits([reference.metadata.ids[i]], masks: nil)[0]
            #expect(output.maxAbsDifference(alone) < Self.batchTolerance, "\(fixture) text \(i): padded vs alone")
        }
    }

    @Test(arguments: fixtures) func tokenizerGivesTheReferenceIDs(_ fixture: String) throws {
        let path = fixture.hasSuffix("-gguf") ? FixtureFiles.path(fixture + "/model.gguf") : FixtureFiles.path(fixture)
        let checkpoint = try Checkpoint(path: path)
        let reference = try ReferenceOutputs(fixture: fixture)
        for (i, text) in reference.metadata.texts.enumerated() {
            #expect(checkpoint.tokenizer.encode(text).ids == reference.metadata.ids[i], "\(fixture) text \(i)")
        }
    }

    @Test(arguments: fixtures) func meanNLLMatchesTransformersLoss(_ fixture: String) throws {
        let (model, reference) = try Self.load(fixture)
        let expected = try require(reference.metadata.mean_nll, "\(fixture) has no mean_nll")
        for (i, ids) in reference.metadata.ids.enumerated() {
            guard let loss = expected[i] else { continue }
            let logProbabilities = try model.tokenLogProbabilities(ids)
            let mean = -logProbabilities.reduce(0) { $0 + Double($1) } / Double(logProbabilities.count)
            #expect(abs(mean - loss) < 1e-4 * max(1, abs(loss)), "\(fixture) text \(i): \(mean) vs \(loss)")
        }
    }

    @Test(arguments: fixtures) func rejectsIDsOutsideTheVocabulary(_ fixture: String) throws {
        let (model, _) = try Self.load(fixture)
        #expect(throws: ModelError.self) { try model.logits([[0, Int32(model.vocabularySize)]], masks: nil) }
        #expect(throws: ModelError.self) { try model.logits([[-1]], masks: nil) }
    }

    @Test(arguments: fixtures) func rejectsSequencesLongerThanTheContext(_ fixture: String) throws {
        let (model, _) = try Self.load(fixture)
        #expect(throws: ModelError.self) { try model.logits([Array(repeating: 1, count: model.maxPositions + 1)], masks: nil) }
    }
}
