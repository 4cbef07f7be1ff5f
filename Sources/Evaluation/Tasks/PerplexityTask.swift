import Foundation
import Inference

/// Token-level negative log-likelihood of documents with a sliding window, as transformers' perplexity guide computes
/// it, reported with lm-evaluation-harness's `word_perplexity`, `byte_perplexity` and `bits_per_byte`.
struct PerplexityTask {
    struct Item: Decodable, Sendable { let text: String }

    struct Details: Encodable {
        let documents: Int
        let tokensScored: Int
        let words: Int
        let bytes: Int
        let maxLength: Int
        let stride: Int
        let prefixToken: Int32?
    }

    static func run(_ scorer: inout ModelScorer, _ data: Dataset<Item>, _ parameters: TaskParameters, _ report: Progress) throws -> TaskOutcome {
        let maxLength = min(parameters.maxLength ?? scorer.maxPositions, scorer.maxPositions)
        let stride = min(parameters.stride ?? maxLength, maxLength)
        let prefix = scorer.documentPrefix
        var (totalNLL, scored, words, bytes) = (0.0, 0, 0, 0)
        for (index, entry) in data.items.enumerated() {
            let ids = scorer.tokenizer.encode(entry.item.text, addSpecialTokens: false).ids
            let tokens = (prefix.map { [$0] } ?? []) + ids
            var previousEnd = 0
            var begin = 0
            while begin < tokens.count {
                let end = min(begin + maxLength, tokens.count)
                let window = Array(tokens[begin..<end])
                let logProbabilities = try scorer.causalLogProbabilities(window)
                // Positions scored in this window: those not scored by an earlier one; a window's first token has
                // no context inside the window, so it is never a target.
                for position in max(previousEnd, begin + 1)..<end {
                    totalNLL -= logProbabilities[position - begin - 1]
                    scored += 1
                }
                previousEnd = end
                if end == tokens.count { break }
                begin += stride
            }
            words += Statistics.wordCount(entry.item.text)
            bytes += entry.item.text.utf8.count
            try report.step(index + 1)
        }
        guard scored > 0, bytes > 0 else {
            throw EvaluationError("\(data.name): the documents have no tokens to score (each needs at least two tokens)")
        }
        let n = data.items.count
        return TaskOutcome(
            metrics: [
                .init(name: "perplexity", value: exp(totalNLL / Double(scored)), samples: n),
                .init(name: "word_perplexity", value: exp(totalNLL / Double(words)), samples: n),
                .init(name: "byte_perplexity", value: exp(totalNLL / Double(bytes)), samples: n),
                .init(name: "bits_per_byte", value: totalNLL / Double(bytes) / log(2.0), samples: n),
            ],
            details: try DetailsJSON.encode(
                Details(documents: n, tokensScored: scored, words: words, bytes: bytes, maxLength: maxLength, stride: stride, prefixToken: prefix)),
            items: n, tokensProcessed: scorer.tokensProcessed)
    }
}
