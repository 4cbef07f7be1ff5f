import Foundation
import Inference
import Testing

/// The real SmolLM2-135M-Instruct (LLaMA architecture, Q4_1/Q8_0 GGUF) against transformers loading the same
/// file (`Ops/fixtures/make_causal_fixtures.py`): tokenizer ids on the hard corpus, logits on committed prompts,
/// perplexity on a committed text.
///
/// The file is not committed: `Ops/scripts/fetch-models.sh` fetches it. Its absence fails the suite
/// with a message saying so, rather than skipping it.
@Suite(.serialized) struct SmolLM2Tests {
    private struct Reference: Decodable {
        struct Prompt: Decodable {
            let text: String?
            let ids: [Int32]
            /// transformers' own float32 logits against the same model in float64 (max abs over the prompt).
            let float32_error: Double
            let logsumexp: [Double]
            let argmax: [Int]
        }
        struct Perplexity: Decodable {
            let token_count: Int
            let mean_nll: Double
            let perplexity: Double
        }
        let tokenizer_ids: [[Int32]]
        let prompts: [Prompt]
        let sampled_ids: [Int]
        let perplexity: Perplexity
    }

    /// The bound. A prompt on which transformers' own float32 result is further from
    /// exact (float64) arithmetic by more than half of that — the 48-fold repeated word, about 1e-2 — is ill-conditioned in float32: two
    /// correct implementations that sum in different orders can differ by about that much, so there the bound is
    /// twice transformers' own error, never less than 1e-3.
    private static let logitTolerance: Float = 1e-3

    private static func tolerance(_ prompt: Reference.Prompt) -> Float { max(logitTolerance, Float(2 * prompt.float32_error)) }
    private let reference: Reference
    private let logits: SafetensorsFile
    private let checkpoint: Checkpoint

    init() throws {
        let file = FixtureFiles.smolLM2File
        guard FileManager.default.fileExists(atPath: file) else { throw ReferenceError(message: FixtureFiles.smolLM2MissingMessage) }
        reference = try FixtureFiles.json("smollm2/reference.json", as: Reference.self)
        logits = try SafetensorsFile(path: FixtureFiles.path("smollm2/logits.safetensors"))
        checkpoint = try Self.shared.get()
    }

    /// Loaded once for the suite: dequantising 135M parameters is most of a debug build's time here.
    private static let shared = Result { try Checkpoint(path: FixtureFiles.smolLM2File) }

    private var model: any CausalLanguageModel {
        get throws { try require(checkpoint.model.causal, "SmolLM2 is not a causal LM") }
    }

    // MARK: Tests

    @Test func tokenizerMatchesTransformersOnTheHardCorpus() throws {
        struct Corpus: Decodable { let strings: [String] }
        let strings = try FixtureFiles.json("tokenizer_corpus.json", as: Corpus.self).strings
        try #require(strings.count == reference.tokenizer_ids.count)
        var failures: [String] = []
        for (text, ids) in zip(strings, reference.tokenizer_ids) where checkpoint.tokenizer.encode(text).ids != ids {
            failures.append("\(text.debugDescription): expected \(ids), got \(checkpoint.tokenizer.encode(text).ids)")
        }
        #expect(failures.isEmpty, "\(failures.count) of \(strings.count) differ, e.g. \(failures.prefix(3))")
    }

    @Test func promptsAreTokenizedAsTransformersDoes() throws {
        for (i, prompt) in reference.prompts.enumerated() {
            let text = try require(prompt.text, "prompt \(i) has no text")
            #expect(checkpoint.tokenizer.encode(text).ids == prompt.ids, "prompt \(i)")
            #expect(prompt.ids.count <= 64, "prompt \(i) is longer than 64 tokens")
        }
    }

    @Test func logitsMatchTransformers() throws {
        let model = try model
        var wellConditioned = 0
        for (i, prompt) in reference.prompts.enumerated() {
            let tolerance = Self.tolerance(prompt)
            if tolerance == Self.logitTolerance { wellConditioned += 1 }
            let out = try model.logits([prompt.ids], masks: nil)[0]  // (T, V)
            let V = out.cols
            // The whole vocabulary at the last position.
            let last = try logits.floats("prompt.\(i).last")
            let lastRow = Array(out.storage[((out.rows - 1) * V)..<(out.rows * V)])
            let lastDiff = zip(lastRow, last).map { abs($0 - $1) }.max() ?? .infinity
            #expect(last.count == V && lastDiff <= tolerance, "prompt \(i): last position max abs diff \(lastDiff)")
            // 256 fixed vocabulary entries at every position.
            let sampled = try logits.floats("prompt.\(i).sampled")
            var worst: Float = 0
            for t in 0..<out.rows {
                for (k, id) in reference.sampled_ids.enumerated() {
                    worst = max(worst, abs(out.storage[t * V + id] - sampled[t * reference.sampled_ids.count + k]))
                }
            }
            #expect(worst <= tolerance, "prompt \(i): sampled logits max abs diff \(worst)")
            // Every position's log-sum-exp covers the whole vocabulary; the argmax is the prediction.
            for t in 0..<out.rows {
                let row = out.storage[(t * V)..<((t + 1) * V)]
                let peak = Double(row.max() ?? 0)
                let lse = peak + log(row.reduce(0.0) { $0 + exp(Double($1) - peak) })
                #expect(abs(lse - prompt.logsumexp[t]) <= Double(tolerance), "prompt \(i) position \(t): logsumexp \(lse) vs \(prompt.logsumexp[t])")
                let argmax = row.indices.max { row[$0] < row[$1] }.map { $0 - t * V } ?? -1
                if argmax != prompt.argmax[t] {
                    // A near-tie may flip within the tolerance; then the two logits must be that close.
                    let gap = abs(out.storage[t * V + argmax] - out.storage[t * V + prompt.argmax[t]])
                    #expect(gap <= 2 * tolerance, "prompt \(i) position \(t): argmax \(argmax) vs \(prompt.argmax[t])")
                }
            }
        }
        // The relaxed bound is the exception: nearly every prompt is held to 1e-3.
        #expect(wellConditioned >= reference.prompts.count - 1, "\(wellConditioned) of \(reference.prompts.count) prompts at 1e-3")
    }

    @Test func perplexityMatchesTransformersWithinATenthOfAPercent() throws {
        let text = try String(contentsOfFile: FixtureFiles.path("smollm2/text.txt"), encoding: .utf8)
        let score = try checkpoint.score(text)
        #expect(score.tokenCount == reference.perplexity.token_count)
        let relative = abs(score.perplexity - reference.perplexity.perplexity) / reference.perplexity.perplexity
        #expect(relative < 0.001, "perplexity \(score.perplexity) vs \(reference.perplexity.perplexity)")
    }
}
