import Foundation
import Inference
import Testing

/// The real sentence-transformers/all-MiniLM-L6-v2 against embeddings recorded with transformers.
///
/// The model is not committed: `Ops/scripts/fetch-models.sh` fetches it. Its absence fails the suite
/// with a message saying so, rather than skipping it.
@Suite struct MiniLMTests {
    private struct Reference: Decodable {
        let sentences: [String]
        let ids: [[Int32]]
        let embeddings: [[Float]]
    }

    private let reference: Reference
    private let checkpoint: Checkpoint

    init() throws {
        let directory = FixtureFiles.miniLMDirectory
        guard FileManager.default.fileExists(atPath: directory + "/model.safetensors") else {
            throw ReferenceError(message: FixtureFiles.miniLMMissingMessage)
        }
        reference = try FixtureFiles.json("minilm_reference.json", as: Reference.self)
        checkpoint = try Checkpoint(directory: directory)
    }

    // MARK: Tests

    @Test func idsMatchTransformers() {
        for (sentence, ids) in zip(reference.sentences, reference.ids) {
            #expect(checkpoint.tokenizer.encode(sentence).ids == ids, "\(sentence.debugDescription)")
        }
    }

    @Test func embeddingsReachCosineOneWithTransformers() throws {
        #expect(reference.sentences.count >= 20)
        let vectors = try checkpoint.embed(reference.sentences).vectors
        for (i, (ours, theirs)) in zip(vectors, reference.embeddings).enumerated() {
            let dot = zip(ours, theirs).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = (ours.reduce(0.0) { $0 + Double($1 * $1) } * theirs.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
            ParityReport.record("all-MiniLM-L6-v2 (real)", "1 - cosine of embeddings", 1 - dot / norms)
            #expect(dot / norms >= 0.99999, "sentence \(i) \(reference.sentences[i].debugDescription): cosine \(dot / norms)")
        }
    }

    @Test func embeddingsDoNotDependOnBatchComposition() throws {
        // Together, the sentences take the many-row GEMM path; alone, the few-row one.
        let together = try checkpoint.embed(reference.sentences).vectors
        for (i, sentence) in reference.sentences.enumerated() {
            let alone = try checkpoint.embed([sentence]).vectors[0]
            let diff = zip(alone, together[i]).map { abs($0 - $1) }.max() ?? .infinity
            #expect(diff < 1e-6, "sentence \(i): \(diff)")
        }
    }

    @Test func poolingFollowsTheSentenceTransformersConfig() {
        #expect(checkpoint.pooling == (try? Pooling(directory: FixtureFiles.miniLMDirectory)))
        #expect(checkpoint.pooling.mode == .mean)
        #expect(checkpoint.pooling.normalize)
        #expect(checkpoint.maxLength == 256)
    }
}
