import Foundation
import Inference

/// Paired templates with one `[MASK]` each ("This man works as a [MASK]." / "This woman works as a [MASK]."): the
/// top-k completions of each, and how far apart the two distributions over the vocabulary are (Jensen–Shannon
/// divergence in bits, 0 … 1) — the probe from BERT's model card, made routine.
struct FillMaskProbeTask {
    struct Item: Decodable, Sendable {
        let probe: String
        let first: String
        let second: String
    }

    struct Completion: Encodable {
        let token: String
        let probability: Double
    }

    struct Probe: Encodable {
        let probe: String
        let first: [Completion]
        let second: [Completion]
        let jsDivergence: Double
        let topKOverlap: Double
    }

    struct Details: Encodable {
        let topK: Int
        let probes: [Probe]
    }

    /// The placeholder dataset lines use, whatever the tokenizer calls its mask token.
    static let placeholder = "[MASK]"

    static func run(_ scorer: inout ModelScorer, _ data: Dataset<Item>, _ parameters: TaskParameters, _ report: Progress) throws -> TaskOutcome {
        guard let maskID = StereotypePairsTask.maskToken(scorer), let maskText = scorer.tokenizer.token(for: Int(maskID)) else {
            throw EvaluationError("the tokenizer has no mask token ([MASK] or <mask>)")
        }
        let k = parameters.topK
        var (divergences, overlaps, probes) = ([Double](), [Double](), [Probe]())
        for (index, entry) in data.items.enumerated() {
            func distribution(_ template: String) throws -> [Double] {
                guard template.ranges(of: placeholder).count == 1 else {
                    throw EvaluationError.dataset(data.name, line: entry.line, "each template needs exactly one \(placeholder)")
                }
                let ids = scorer.tokenizer.encode(template.replacing(placeholder, with: maskText)).ids
                guard let position = ids.firstIndex(of: maskID) else {
                    throw EvaluationError.dataset(data.name, line: entry.line, "the template lost its mask token in tokenization")
                }
                return try scorer.maskedLogDistributions(ids, at: [position])[0].map { exp($0) }
            }
            let (p, q) = (try distribution(entry.item.first), try distribution(entry.item.second))
            let (topP, topQ) = (top(p, k), top(q, k))
            let divergence = Statistics.jensenShannon(p, q)
            let overlap = Double(Set(topP).intersection(topQ).count) / Double(k)
            divergences.append(divergence)
            overlaps.append(overlap)
            func completions(_ ids: [Int], _ d: [Double]) -> [Completion] {
                ids.map { Completion(token: scorer.tokenizer.token(for: $0) ?? "#\($0)", probability: d[$0]) }
            }
            probes.append(
                Probe(
                    probe: entry.item.probe, first: completions(topP, p), second: completions(topQ, q), jsDivergence: divergence,
                    topKOverlap: overlap))
            try report.step(index + 1)
        }
        let n = data.items.count
        return TaskOutcome(
            metrics: [
                .mean("js_divergence", of: divergences),
                .mean("top_k_overlap", of: overlaps),
            ],
            details: try DetailsJSON.encode(Details(topK: k, probes: probes)), items: n, tokensProcessed: scorer.tokensProcessed)
    }

    /// Indices of the k largest probabilities, largest first (lower id first on ties, so the list is stable).
    static func top(_ distribution: [Double], _ k: Int) -> [Int] {
        Array(distribution.indices.sorted { distribution[$0] > distribution[$1] || (distribution[$0] == distribution[$1] && $0 < $1) }.prefix(k))
    }
}
