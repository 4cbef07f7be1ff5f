import Foundation
import Inference
import Testing

/// End-to-end pipelines on checkpoint directories: embeddings, scoring, and bad directories.
@Suite struct CheckpointTests {
    private struct GPT2Reference: Decodable {
        let ids: [[Int32]]
        let texts: [String]
        let mean_nll: [Double?]
    }

    // MARK: Tests

    @Test func tinyBERTEmbeddingsMatchTransformers() throws {
        let checkpoint = try Checkpoint(directory: FixtureFiles.path("tiny-bert"))
        let reference = try ReferenceOutputs(fixture: "tiny-bert")
        let expected = try #require(reference.metadata.embeddings)
        let result = try checkpoint.embed(reference.metadata.texts)
        for (i, vector) in result.vectors.enumerated() {
            let diff = zip(vector, expected[i]).map { abs($0 - $1) }.max() ?? .infinity
            ParityReport.record("BERT (tiny-bert)", "pooled embeddings", Double(diff))
            #expect(diff < 1e-4, "text \(i): \(diff)")
        }
        #expect(result.tokenCounts == reference.metadata.ids.map(\.count))
    }

    @Test func embeddingDoesNotDependOnBatchComposition() throws {
        let checkpoint = try Checkpoint(directory: FixtureFiles.path("tiny-bert"))
        let texts = try ReferenceOutputs(fixture: "tiny-bert").metadata.texts
        let together = try checkpoint.embed(texts).vectors
        for (i, text) in texts.enumerated() {
            let alone = try checkpoint.embed([text]).vectors[0]
            let diff = zip(alone, together[i]).map { abs($0 - $1) }.max() ?? .infinity
            #expect(diff < 1e-6, "text \(i): \(diff)")
        }
    }

    @Test func scoringWindowsShorterThanTwoTokensAreRefused() throws {
        let checkpoint = try Checkpoint(path: FixtureFiles.path("tiny-gpt2"))
        for window in [1, 0, -5] {
            #expect(throws: ModelError.self) { try checkpoint.score("the consortium shares compute", window: window) }
        }
        // A window longer than the context is cut to the context rather than overrunning it.
        let long = try checkpoint.score(String(repeating: "consortium ", count: 40), window: 10_000)
        #expect(long.windowCount == (long.tokenCount + checkpoint.model.maxPositions - 1) / checkpoint.model.maxPositions)
    }

    @Test func tokenizerAloneLoadsFromEveryCheckpointForm() throws {
        let ids = try Checkpoint.tokenizer(path: FixtureFiles.path("tiny-llama-gguf/model.gguf")).encode("hello consortium").ids
        #expect(try Checkpoint.tokenizer(path: FixtureFiles.path("tiny-llama-gguf")).encode("hello consortium").ids == ids)
        #expect(try Checkpoint.tokenizer(path: FixtureFiles.path("tiny-gpt2")).encode("hello consortium").ids == ids)
        #expect(throws: ModelError.self) { try Checkpoint.tokenizer(path: FixtureFiles.path("absent")) }
    }

    @Test func longTextIsTruncatedAndReported() throws {
        let checkpoint = try Checkpoint(directory: FixtureFiles.path("tiny-bert"))
        let result = try checkpoint.embed([String(repeating: "consortium ", count: 200), "short"])
        #expect(result.truncated == [0])
        #expect(result.tokenCounts[0] == checkpoint.maxLength)
    }

    @Test func scoreMatchesTransformersLoss() throws {
        let checkpoint = try Checkpoint(directory: FixtureFiles.path("tiny-gpt2"))
        let reference = try FixtureFiles.json("tiny-gpt2/expected.json", as: GPT2Reference.self)
        for (i, text) in reference.texts.enumerated() {
            guard let expected = reference.mean_nll[i] else { continue }
            let score = try checkpoint.score(text)
            #expect(score.tokenCount == reference.ids[i].count)
            #expect(abs(score.meanNLL - expected) < 1e-4, "text \(i): \(score.meanNLL) vs \(expected)")
            #expect(abs(score.perplexity - exp(expected)) / exp(expected) < 1e-4)
        }
    }

    @Test func scoreCutsLongTextsIntoWindows() throws {
        let checkpoint = try Checkpoint(directory: FixtureFiles.path("tiny-gpt2"))
        let score = try checkpoint.score(String(repeating: "the consortium shares compute. ", count: 40))
        #expect(score.windowCount > 1)
        #expect(score.predictedCount == score.tokenCount - score.windowCount)
        #expect(score.bitsPerByte > 0)
    }

    @Test func scoringBERTIsAClearError() throws {
        let checkpoint = try Checkpoint(directory: FixtureFiles.path("tiny-bert"))
        #expect(throws: ModelError.self) { try checkpoint.score("hello") }
    }

    @Test func missingDirectoryIsAClearError() {
        #expect(throws: ModelError.self) { try Checkpoint(directory: "/nonexistent/checkpoint") }
    }
}
