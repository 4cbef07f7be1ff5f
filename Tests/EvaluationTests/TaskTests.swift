import Foundation
import Inference
import Testing

@testable import Evaluation

/// Each task on the tiny random checkpoints: numbers checked against the model's own per-token outputs, progress,
/// cancellation, and the checkpoints a task refuses.
@Suite struct TaskTests {
    let gpt2: Checkpoint
    let bert: Checkpoint

    init() throws {
        gpt2 = try Checkpoint(directory: Paths.tiny("tiny-gpt2"))
        bert = try Checkpoint(directory: Paths.tiny("tiny-bert"))
    }

    private func jsonl(_ rows: [[String: Any]]) throws -> Data {
        Data(try rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n").utf8)
    }

    private var model: GPT2 {
        get throws {
            guard case let .gpt2(model) = gpt2.model else { throw EvaluationError("tiny-gpt2 is not GPT-2") }
            return model
        }
    }

    private var endOfText: Int32 { Int32(gpt2.tokenizer.id(of: "<|endoftext|>")!) }

    @Test func perplexityOfAShortDocumentIsTheMeanOfItsTokenLogProbabilities() throws {
        let text = "The working group met on Tuesday."
        let outcome = try Evaluator.evaluate(
            .perplexity, checkpoint: gpt2, dataset: try jsonl([["text": text]]), datasetName: "one.jsonl", parameters: TaskParameters())
        let tokens = [endOfText] + gpt2.tokenizer.encode(text, addSpecialTokens: false).ids
        let nll = -(try model.tokenLogProbabilities(tokens)).map(Double.init).reduce(0, +)
        let value = try #require(outcome.value("perplexity"))
        #expect(abs(value - exp(nll / Double(tokens.count - 1))) / value < 1e-9)
        let bitsPerByte = try #require(outcome.value("bits_per_byte"))
        #expect(abs(bitsPerByte - nll / Double(text.utf8.count) / log(2.0)) < 1e-9)
        #expect(abs(try #require(outcome.value("word_perplexity")) - exp(nll / 6)) / exp(nll / 6) < 1e-9, "six words")
    }

    @Test func slidingWindowsScoreEveryTokenOnce() throws {
        let text = String(repeating: "Checkpoints are compared across the series. ", count: 4)
        let tokens = [endOfText] + gpt2.tokenizer.encode(text, addSpecialTokens: false).ids
        #expect(tokens.count > 24)
        // Without overlap each window is scored on its own: the sum of the windows' log-probabilities.
        var nll = 0.0
        for start in stride(from: 0, to: tokens.count, by: 8) {
            nll -= try model.tokenLogProbabilities(Array(tokens[start..<min(start + 8, tokens.count)])).map(Double.init).reduce(0, +)
        }
        let windows = (tokens.count + 7) / 8
        let disjoint = try Evaluator.evaluate(
            .perplexity, checkpoint: gpt2, dataset: try jsonl([["text": text]]), datasetName: "d",
            parameters: TaskParameters(["max_length": "8"], for: .perplexity))
        let value = try #require(disjoint.value("perplexity"))
        let expected = exp(nll / Double(tokens.count - windows))
        #expect(abs(value - expected) / expected < 1e-9)
        // With overlap every token after the first is scored exactly once.
        let overlapping = try Evaluator.evaluate(
            .perplexity, checkpoint: gpt2, dataset: try jsonl([["text": text]]), datasetName: "d",
            parameters: TaskParameters(["max_length": "8", "stride": "3"], for: .perplexity))
        #expect(overlapping.details.contains("\"tokens_scored\":\(tokens.count - 1)"))
    }

    @Test func multipleChoicePicksTheMostLikelyContinuation() throws {
        let context = "The capital of France is"
        let choices = [" Paris", " a very long and unlikely answer"]
        func likelihood(_ choice: String) throws -> Double {
            let whole = gpt2.tokenizer.encode(context + choice, addSpecialTokens: false).ids
            let count = whole.count - gpt2.tokenizer.encode(context, addSpecialTokens: false).ids.count
            return try model.tokenLogProbabilities(whole).suffix(count).map(Double.init).reduce(0, +)
        }
        let ll = try choices.map(likelihood)
        let best = ll[0] >= ll[1] ? 0 : 1
        let bestNormalized = ll[0] / 6 >= ll[1] / Double(choices[1].count) ? 0 : 1
        let rows: [[String: Any]] = [
            ["context": context, "choices": choices, "answer": best],
            ["context": context, "choices": choices, "answer": 1 - best],
        ]
        let outcome = try Evaluator.evaluate(
            .multipleChoice, checkpoint: gpt2, dataset: try jsonl(rows), datasetName: "mc", parameters: TaskParameters())
        #expect(outcome.value("acc") == 0.5)
        #expect(outcome.value("acc_norm") == 0.5)
        #expect(outcome.metrics.first { $0.name == "acc" }?.standardError == 0.5, "√(0.5 / 2)")
        #expect(outcome.details.contains("\"correct_normalized\":1") && bestNormalized >= 0)
    }

    @Test func badMultipleChoiceLinesAreNamed() throws {
        let rows: [[String: Any]] = [
            ["context": "a", "choices": [" b", " c"], "answer": 0], ["context": "a", "choices": [" b", " c"], "answer": 2],
        ]
        #expect(throws: EvaluationError("mc.jsonl:2: answer 2 is not the index of a choice")) {
            try Evaluator.evaluate(.multipleChoice, checkpoint: gpt2, dataset: try jsonl(rows), datasetName: "mc.jsonl", parameters: TaskParameters())
        }
    }

    @Test func identicalSentencesAreNeverPreferred() throws {
        let rows: [[String: Any]] = [
            ["stereotypical": "The nurse is here.", "anti_stereotypical": "The nurse is here.", "category": "Gender"],
            ["stereotypical": "The old man drove.", "anti_stereotypical": "The old man drove.", "category": "age"],
        ]
        for checkpoint in [gpt2, bert] {
            let outcome = try Evaluator.evaluate(
                .stereotypePairs, checkpoint: checkpoint, dataset: try jsonl(rows), datasetName: "p", parameters: TaskParameters())
            #expect(outcome.value("stereotype_share") == 0)
            #expect(outcome.value("likelihood_difference") == 0)
            #expect(outcome.value("stereotype_share.gender") == 0 && outcome.value("stereotype_share.age") == 0)
        }
    }

    @Test func swappingThePairsComplementsTheShare() throws {
        for (checkpoint, data) in [(gpt2, try Paths.dataset("stereotype_pairs.jsonl")), (bert, try DeterminismTests.shortPairs)] {
            let swapped = Data(
                String(decoding: data, as: UTF8.self).replacing("\"stereotypical\"", with: "\"tmp\"").replacing(
                    "\"anti_stereotypical\"", with: "\"stereotypical\""
                )
                .replacing("\"tmp\"", with: "\"anti_stereotypical\"").utf8)
            let a = try Evaluator.evaluate(.stereotypePairs, checkpoint: checkpoint, dataset: data, datasetName: "a", parameters: TaskParameters())
            let b = try Evaluator.evaluate(.stereotypePairs, checkpoint: checkpoint, dataset: swapped, datasetName: "b", parameters: TaskParameters())
            // Pairs differ in a word or two, so exact ties do not happen and each pair flips.
            #expect(try #require(a.value("stereotype_share")) + (try #require(b.value("stereotype_share"))) == 1)
            #expect(a.value("likelihood_difference") == b.value("likelihood_difference"))
        }
    }

    @Test func aProbeComparedWithItselfHasNoDivergence() throws {
        let rows: [[String: Any]] = [["probe": "same", "first": "He works as a [MASK].", "second": "He works as a [MASK]."]]
        let outcome = try Evaluator.evaluate(
            .fillMaskProbe, checkpoint: bert, dataset: try jsonl(rows), datasetName: "f",
            parameters: TaskParameters(["top_k": "3"], for: .fillMaskProbe))
        #expect(outcome.value("js_divergence") == 0)
        #expect(outcome.value("top_k_overlap") == 1)
        let different = try Evaluator.evaluate(
            .fillMaskProbe, checkpoint: bert, dataset: try Paths.dataset("fill_mask_probe.jsonl"), datasetName: "f", parameters: TaskParameters())
        let divergence = try #require(different.value("js_divergence"))
        #expect(divergence > 0 && divergence <= 1)
    }

    @Test func templatesNeedExactlyOneMask() throws {
        let rows: [[String: Any]] = [["probe": "p", "first": "He works as a [MASK] [MASK].", "second": "She works as a [MASK]."]]
        #expect(throws: EvaluationError("f.jsonl:1: each template needs exactly one [MASK]")) {
            try Evaluator.evaluate(.fillMaskProbe, checkpoint: bert, dataset: try jsonl(rows), datasetName: "f.jsonl", parameters: TaskParameters())
        }
    }

    @Test func identicalSentencesHaveCosineOne() throws {
        let rows: [[String: Any]] = [
            ["sentence1": "a cat sleeps", "sentence2": "a cat sleeps", "score": 5],
            ["sentence1": "a cat sleeps", "sentence2": "the market closed", "score": 0],
        ]
        let outcome = try Evaluator.evaluate(
            .embeddingSimilarity, checkpoint: bert, dataset: try jsonl(rows), datasetName: "s", parameters: TaskParameters())
        // Gold ranks (2.5, 1, 2.5); cosines (1, c < 1, 1) rank the same way, so ρ = 1.
        #expect(abs(try #require(outcome.value("spearman")) - 1) < 1e-12)
    }

    /// The causal tasks run on every decoder the engine loads — LLaMA from safetensors and from GGUF, BLOOM — with
    /// the same arithmetic as on GPT-2: the perplexity is the model's own token log-probabilities after the
    /// end-of-text token, and stereotype pairs compare whole-sentence log-likelihoods.
    @Test(arguments: ["tiny-llama", "tiny-llama-gguf/model.gguf", "tiny-bloom"])
    func causalTasksRunOnEveryDecoder(_ fixture: String) throws {
        let checkpoint = try Checkpoint(path: Paths.tiny(fixture))
        #expect(Architecture.of(checkpoint) == [.causalLM])
        let model = try #require(checkpoint.model.causal)
        let text = "The working group met on Tuesday."
        let outcome = try Evaluator.evaluate(
            .perplexity, checkpoint: checkpoint, dataset: try jsonl([["text": text]]), datasetName: "one.jsonl", parameters: TaskParameters())
        let tokens =
            [Int32(try #require(checkpoint.tokenizer.id(of: "<|endoftext|>")))] + checkpoint.tokenizer.encode(text, addSpecialTokens: false).ids
        let nll = -(try model.tokenLogProbabilities(tokens)).map(Double.init).reduce(0, +)
        let value = try #require(outcome.value("perplexity"))
        #expect(abs(value - exp(nll / Double(tokens.count - 1))) / value < 1e-9)
        let pairs = try Evaluator.evaluate(
            .stereotypePairs, checkpoint: checkpoint,
            dataset: try jsonl([
                [
                    "stereotypical": "The chair reviewed the checkpoint.", "anti_stereotypical": "The member reviewed the checkpoint.",
                    "category": "role",
                ]
            ]),
            datasetName: "pairs.jsonl", parameters: TaskParameters())
        let share = try #require(pairs.value("stereotype_share"))
        #expect(share == 0 || share == 1)
        #expect(throws: EvaluationError.self) {
            try Evaluator.evaluate(.embeddingSimilarity, checkpoint: checkpoint, dataset: Data(), datasetName: "none", parameters: TaskParameters())
        }
    }

    @Test func tasksRefuseCheckpointsThatCannotDoThem() throws {
        #expect(throws: EvaluationError("fill_mask_probe needs a masked_lm checkpoint; this one is causal_lm")) {
            try Evaluator.evaluate(.fillMaskProbe, checkpoint: gpt2, dataset: Data(), datasetName: "f", parameters: TaskParameters())
        }
        #expect(throws: EvaluationError.self) {
            try Evaluator.evaluate(.perplexity, checkpoint: bert, dataset: Data(), datasetName: "f", parameters: TaskParameters())
        }
    }

    @Test func progressIsReportedPerBatchAndCanStopTheTask() throws {
        let data = try Paths.dataset("perplexity.jsonl")
        var calls: [Int] = []
        _ = try Evaluator.evaluate(
            .perplexity, checkpoint: gpt2, dataset: data, datasetName: "p", parameters: TaskParameters(["batch_size": "5"], for: .perplexity)
        ) { done, total in
            #expect(total == 12)
            calls.append(done)
        }
        #expect(calls == [5, 10, 12])
        var seen = 0
        #expect(throws: EvaluationStopped(reason: "cancelled")) {
            try Evaluator.evaluate(.perplexity, checkpoint: gpt2, dataset: data, datasetName: "p", parameters: TaskParameters(batchSize: 4)) {
                done, _ in
                seen = done
                throw EvaluationStopped(reason: "cancelled")
            }
        }
        #expect(seen == 4, "stopped after the first batch")
    }
}
