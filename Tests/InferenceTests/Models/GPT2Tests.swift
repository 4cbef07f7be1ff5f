import Inference
import Testing

/// The tiny random GPT-2 (hidden 45, 3 heads, vocab 611, random biases and gains) against transformers.
@Suite struct GPT2Tests {
    private static let tolerance: Float = 1e-4
    /// BLAS blocks a GEMM differently for different row counts, so the same row can round
    /// differently by a few ulps of the logits' magnitude (~10) when its batch changes.
    private static let batchTolerance: Float = 1e-5
    private let reference: ReferenceOutputs
    private let model: GPT2

    init() throws {
        reference = try ReferenceOutputs(fixture: "tiny-gpt2")
        model = try GPT2(directory: FixtureFiles.path("tiny-gpt2"))
    }

    // MARK: Tests

    @Test func logitsMatchTransformers() throws {
        let outputs = try model.logits(reference.metadata.ids)
        for (i, output) in outputs.enumerated() {
            let diff = output.maxAbsDifference(try reference.matrix("logits.\(i)"))
            #expect(diff < Self.tolerance, "text \(i): max abs diff \(diff)")
        }
    }

    @Test func hiddenStatesMatchTransformers() throws {
        let outputs = try model.hiddenStates(reference.metadata.ids)
        for (i, output) in outputs.enumerated() {
            let diff = output.maxAbsDifference(try reference.matrix("hidden.\(i)"))
            #expect(diff < Self.tolerance, "text \(i): max abs diff \(diff)")
        }
    }

    @Test func paddedBatchMatchesTransformersAndEachSequenceAlone() throws {
        let padded = try model.logits(reference.metadata.padded_ids, masks: reference.metadata.padded_mask)
        for (i, output) in padded.enumerated() {
            let length = reference.metadata.ids[i].count
            #expect(output.rows == length)
            let diff = output.maxAbsDifference(try reference.batchItem("padded.logits", i, length: length))
            #expect(diff < Self.tolerance, "text \(i): padded vs transformers \(diff)")
            #expect(output.maxAbsDifference(try model.logits([reference.metadata.ids[i]])[0]) < Self.batchTolerance, "text \(i): padded vs alone")
        }
    }

    @Test func rejectsIDsOutsideTheVocabulary() {
        #expect(throws: ModelError.self) { try model.logits([[0, 611]]) }
    }

    @Test func rejectsSequencesLongerThanTheContext() {
        #expect(throws: ModelError.self) { try model.logits([Array(repeating: 1, count: model.maxPositions + 1)]) }
    }
}
