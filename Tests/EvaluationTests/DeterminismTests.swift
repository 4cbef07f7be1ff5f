import Foundation
import Inference
import Testing

@testable import Evaluation

/// The same checkpoint, data and parameters give the same numbers whatever the batch size or BLAS thread count.
@Suite(.serialized) struct DeterminismTests {
    static let cases: [(TaskKind, String, String)] = [
        (.perplexity, "tiny-gpt2", "perplexity.jsonl"),
        (.multipleChoice, "tiny-gpt2", "multiple_choice.jsonl"),
        (.stereotypePairs, "tiny-gpt2", "stereotype_pairs.jsonl"),
        (.stereotypePairs, "tiny-bert", "stereotype_pairs_short.jsonl"),
        (.fillMaskProbe, "tiny-bert", "fill_mask_probe.jsonl"),
        (.embeddingSimilarity, "tiny-bert", "embedding_similarity.jsonl"),
    ]

    /// CrowS-style pairs short enough for tiny-bert's 40-token context.
    static var shortPairs: Data { get throws { try Paths.fixture("stereotype_pairs_short.jsonl") } }

    @Test(arguments: cases)
    func resultsDoNotDependOnBatchSizeOrThreads(kind: TaskKind, model: String, dataset: String) throws {
        let checkpoint = try Checkpoint(directory: Paths.tiny(model))
        // tiny-bert's context is 40 tokens and its small vocabulary spells most words letter by letter.
        let data = dataset == "stereotype_pairs_short.jsonl" ? try Self.shortPairs : try Paths.dataset(dataset)
        let previous = Checkpoint.threadCount
        defer { Checkpoint.setThreadCount(previous) }
        var outcomes: [TaskOutcome] = []
        for threads in [1, 2] {
            Checkpoint.setThreadCount(threads)
            for batch in [1, 8, 32] {
                outcomes.append(
                    try Evaluator.evaluate(
                        kind, checkpoint: checkpoint, dataset: data, datasetName: dataset, parameters: TaskParameters(batchSize: batch)))
            }
        }
        let first = outcomes[0]
        #expect(first.metrics.count >= 2 && first.items > 0)
        for outcome in outcomes.dropFirst() {
            #expect(outcome.details == first.details, "details differ")
            for (a, b) in zip(outcome.metrics, first.metrics) {
                #expect(a.name == b.name)
                #expect(abs(a.value - b.value) <= 1e-6 * max(abs(b.value), 1e-30), "\(a.name): \(a.value) vs \(b.value)")
            }
        }
    }
}
