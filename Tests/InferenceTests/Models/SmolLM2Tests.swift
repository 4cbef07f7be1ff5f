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
    private struct Reference: Decodable, Sendable {
        struct Prompt: Decodable, Sendable {
            let text: String?
            let ids: [Int32]
            /// transformers' own float32 logits against the same model in float64 (max abs over the prompt).
            let float32_error: Double
            let float32_spread: Double
            let logsumexp: [Double]
            let argmax: [Int]
        }
        struct Perplexity: Decodable, Sendable {
            let token_count: Int
            let mean_nll: Double
            let perplexity: Double
        }
        let tokenizer_ids: [[Int32]]
        let prompts: [Prompt]
        let sampled_ids: [Int]
        let perplexity: Perplexity
    }

    /// The bound, against transformers' float32 logits and against exact (float64) arithmetic's.
    ///
    /// A prompt on which float32 arithmetic lands further from exact arithmetic than half of that is ill-conditioned:
    /// the 48-fold repeated word, where transformers' own float32 logits are 7.5e-3 from exact ones, and copies of the
    /// model whose weights were moved by less than half a float32 ulp land up to 1.6e-2 from them (`float32_spread`,
    /// four seeds; the fixture script makes them). There ours must stay within four times the larger of the two.
    /// Measured on the Xeon (Emerald Rapids) machine: OpenBLAS's Haswell kernels 8.3e-3, its AVX-512 (SkylakeX)
    /// kernels 2.6e-2, and 3.3e-2 once our exp used fused multiply-adds; every well-conditioned prompt stays within
    /// 1e-4 with any of them.
    private static let logitTolerance: Float = 1e-3

    private static func float32Error(_ prompt: Reference.Prompt) -> Double { max(prompt.float32_error, prompt.float32_spread) }

    private static func isIllConditioned(_ prompt: Reference.Prompt) -> Bool { 2 * float32Error(prompt) > Double(logitTolerance) }

    /// The bound on our distance from exact arithmetic.
    private static func exactTolerance(_ prompt: Reference.Prompt) -> Float {
        isIllConditioned(prompt) ? Float(4 * float32Error(prompt)) : logitTolerance
    }

    /// The bound on our distance from transformers' float32 logits: for an ill-conditioned prompt, both results' distances
    /// from exact arithmetic added up (the triangle inequality).
    private static func tolerance(_ prompt: Reference.Prompt) -> Float {
        isIllConditioned(prompt) ? exactTolerance(prompt) + Float(prompt.float32_error) : logitTolerance
    }
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

    @Test func tokenizerMatchesTransformersOnTheHardCorpus() async throws {
        struct Corpus: Decodable { let strings: [String] }
        let strings = try FixtureFiles.json("tokenizer_corpus.json", as: Corpus.self).strings
        try #require(strings.count == reference.tokenizer_ids.count)
        let tokenizer = checkpoint.tokenizer
        let got = try await blockingWork { strings.map { tokenizer.encode($0).ids } }
        let failures = zip(strings, zip(reference.tokenizer_ids, got)).filter { $1.0 != $1.1 }.map {
            "\($0.debugDescription): expected \($1.0), got \($1.1)"
        }
        #expect(failures.isEmpty, "\(failures.count) of \(strings.count) differ, e.g. \(failures.prefix(3))")
    }

    @Test func promptsAreTokenizedAsTransformersDoes() async throws {
        for (i, prompt) in reference.prompts.enumerated() {
            let text = try require(prompt.text, "prompt \(i) has no text")
            #expect(checkpoint.tokenizer.encode(text).ids == prompt.ids, "prompt \(i)")
            #expect(prompt.ids.count <= 64, "prompt \(i) is longer than 64 tokens")
        }
    }

    /// How one prompt's logits compare with the reference.
    private struct PromptComparison: Sendable {
        var lastPosition: Float = 0
        var sampled: Float = 0
        var logSumExp: [Double] = []
        /// The same two maxima against exact (float64) arithmetic's logits instead of transformers' float32 ones.
        var fromExact: Float = 0
        /// Positions whose argmax differs: (position, ours, the reference's, the gap between their logits).
        var argmaxFlips: [(Int, Int, Int, Float)] = []
    }

    /// Largest differences from one reference: over the whole vocabulary at the last position, and over the 256 fixed
    /// vocabulary entries at every position.
    private static func distances(_ out: Matrix, last lastName: String, sampled sampledName: String, _ sampledIDs: [Int], _ logits: SafetensorsFile)
        throws -> (last: Float, sampled: Float)
    {
        let V = out.cols
        let last = try logits.floats(lastName)
        let sampled = try logits.floats(sampledName)
        guard last.count == V else { throw ReferenceError(message: "\(lastName): reference has \(last.count) logits, not \(V)") }
        guard sampled.count == out.rows * sampledIDs.count else {
            throw ReferenceError(message: "\(sampledName): reference has \(sampled.count) logits, not \(out.rows * sampledIDs.count)")
        }
        var distances: (last: Float, sampled: Float) = (0, 0)
        for v in 0..<V { distances.last = max(distances.last, abs(out.storage[(out.rows - 1) * V + v] - last[v])) }
        for t in 0..<out.rows {
            for (k, id) in sampledIDs.enumerated() {
                distances.sampled = max(distances.sampled, abs(out.storage[t * V + id] - sampled[t * sampledIDs.count + k]))
            }
        }
        return distances
    }

    private static func compare(_ out: Matrix, _ prompt: Reference.Prompt, index i: Int, sampledIDs: [Int], logits: SafetensorsFile) throws
        -> PromptComparison
    {
        var result = PromptComparison()
        let V = out.cols
        (result.lastPosition, result.sampled) = try distances(out, last: "prompt.\(i).last", sampled: "prompt.\(i).sampled", sampledIDs, logits)
        let fromExact = try distances(out, last: "prompt.\(i).exact_last", sampled: "prompt.\(i).exact_sampled", sampledIDs, logits)
        result.fromExact = max(fromExact.last, fromExact.sampled)
        // Every position's log-sum-exp covers the whole vocabulary; the argmax is the prediction.
        for t in 0..<out.rows {
            let row = out.storage[(t * V)..<((t + 1) * V)]
            let peak = Double(row.max() ?? 0)
            result.logSumExp.append(abs(peak + log(row.reduce(0.0) { $0 + exp(Double($1) - peak) }) - prompt.logsumexp[t]))
            let argmax = (row.indices.max { row[$0] < row[$1] } ?? t * V) - t * V
            if argmax != prompt.argmax[t] {
                result.argmaxFlips.append((t, argmax, prompt.argmax[t], abs(out.storage[t * V + argmax] - out.storage[t * V + prompt.argmax[t]])))
            }
        }
        return result
    }

    @Test func logitsMatchTransformers() async throws {
        let (model, prompts, sampledIDs, logits) = (try model, reference.prompts, reference.sampled_ids, logits)
        let comparisons = try await blockingWork {
            try prompts.enumerated().map { i, prompt in
                try Self.compare(try model.logits([prompt.ids], masks: nil)[0], prompt, index: i, sampledIDs: sampledIDs, logits: logits)
            }
        }
        var wellConditioned = 0
        for (i, (prompt, comparison)) in zip(prompts, comparisons).enumerated() {
            let tolerance = Self.tolerance(prompt)
            if tolerance == Self.logitTolerance { wellConditioned += 1 }
            let kind = tolerance == Self.logitTolerance ? "well-conditioned prompts" : "the ill-conditioned prompt"
            ParityReport.record("SmolLM2-135M Q4_1 (real)", "logits, \(kind)", Double(max(comparison.lastPosition, comparison.sampled)))
            ParityReport.record("SmolLM2-135M Q4_1 (real)", "logits vs float64, \(kind)", Double(comparison.fromExact))
            #expect(comparison.fromExact <= Self.exactTolerance(prompt), "prompt \(i): max abs diff from exact arithmetic \(comparison.fromExact)")
            #expect(comparison.lastPosition <= tolerance, "prompt \(i): last position max abs diff \(comparison.lastPosition)")
            #expect(comparison.sampled <= tolerance, "prompt \(i): sampled logits max abs diff \(comparison.sampled)")
            for (t, diff) in comparison.logSumExp.enumerated() {
                #expect(diff <= Double(tolerance), "prompt \(i) position \(t): logsumexp differs by \(diff)")
            }
            // A near-tie may flip within the tolerance; then the two logits must be that close.
            for (t, ours, theirs, gap) in comparison.argmaxFlips {
                #expect(gap <= 2 * tolerance, "prompt \(i) position \(t): argmax \(ours) vs \(theirs)")
            }
        }
        // The relaxed bound is the exception: nearly every prompt is held to 1e-3.
        #expect(wellConditioned >= prompts.count - 1, "\(wellConditioned) of \(prompts.count) prompts at 1e-3")
    }

    @Test func perplexityMatchesTransformersWithinATenthOfAPercent() async throws {
        let text = try String(contentsOfFile: FixtureFiles.path("smollm2/text.txt"), encoding: .utf8)
        let checkpoint = checkpoint
        let score = try await blockingWork { try checkpoint.score(text) }
        #expect(score.tokenCount == reference.perplexity.token_count)
        let relative = abs(score.perplexity - reference.perplexity.perplexity) / reference.perplexity.perplexity
        #expect(relative < 0.001, "perplexity \(score.perplexity) vs \(reference.perplexity.perplexity)")
    }
}
