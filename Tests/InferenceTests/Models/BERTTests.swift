import Inference
import Testing

/// The tiny random BERT (hidden 45, 3 heads, vocab 389, random biases and gains) against transformers.
@Suite struct BERTTests {
    private static let tolerance: Float = 1e-4
    /// BLAS blocks a GEMM differently for different row counts, so the same row can round
    /// differently by a few ulps of the logits' magnitude (~10) when its batch changes.
    private static let batchTolerance: Float = 1e-5
    private let reference: ReferenceOutputs
    private let model: BERT

    init() throws {
        reference = try ReferenceOutputs(fixture: "tiny-bert")
        model = try BERT(directory: FixtureFiles.path("tiny-bert"))
    }

    // MARK: Tests

    @Test func hiddenStatesMatchTransformers() throws {
        let outputs = try model.hiddenStates(reference.metadata.ids)
        for (i, output) in outputs.enumerated() {
            let diff = output.maxAbsDifference(try reference.matrix("hidden.\(i)"))
            ParityReport.record("BERT (tiny-bert)", "hidden states", Double(diff))
            #expect(diff < Self.tolerance, "text \(i): max abs diff \(diff)")
        }
    }

    @Test func maskedLMLogitsMatchTransformers() throws {
        #expect(model.hasMaskedLMHead)
        let outputs = try model.maskedLMLogits(reference.metadata.ids)
        for (i, output) in outputs.enumerated() {
            let diff = output.maxAbsDifference(try reference.matrix("logits.\(i)"))
            ParityReport.record("BERT (tiny-bert)", "masked-LM logits", Double(diff))
            #expect(diff < Self.tolerance, "text \(i): max abs diff \(diff)")
        }
    }

    @Test func paddedBatchMatchesTransformersAndEachSequenceAlone() throws {
        let padded = try model.maskedLMLogits(reference.metadata.padded_ids, masks: reference.metadata.padded_mask)
        let alone = try reference.metadata.ids.map { ids in try model.maskedLMLogits([ids])[0] }
        for (i, output) in padded.enumerated() {
            let length = reference.metadata.ids[i].count
            #expect(output.rows == length)
            let diff = output.maxAbsDifference(try reference.batchItem("padded.logits", i, length: length))
            ParityReport.record("BERT (tiny-bert)", "padded-batch logits", Double(diff))
            #expect(diff < Self.tolerance, "text \(i): padded vs transformers \(diff)")
            #expect(output.maxAbsDifference(alone[i]) < Self.batchTolerance, "text \(i): padded vs alone")
        }
    }

    @Test func hiddenStatesDoNotDependOnBatchComposition() throws {
        let ids = reference.metadata.ids
        let together = try model.hiddenStates(ids)
        let reversed = try model.hiddenStates(ids.reversed())
        for i in ids.indices {
            // Same bound as padded-vs-alone: a row's position in the GEMM changes its rounding by a few ulps (1.8e-6 seen
            // with OpenBLAS on AMD EPYC), while a masking bug that let sequences see each other would move it by ~1e-1.
            #expect(together[i].maxAbsDifference(reversed[ids.count - 1 - i]) < Self.batchTolerance)
        }
    }
}
