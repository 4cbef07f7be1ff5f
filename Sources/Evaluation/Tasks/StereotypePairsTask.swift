import Inference

/// CrowS-Pairs-style minimal pairs: the share of pairs in which the model finds the more stereotypical sentence more
/// likely (50 % is the ideal), overall and per bias category. Causal LMs compare sentence log-likelihoods; masked LMs
/// compare pseudo-log-likelihoods of the tokens both sentences share, each masked in turn (Nangia et al., 2020).
struct StereotypePairsTask {
    struct Item: Decodable, Sendable {
        let stereotypical: String
        let antiStereotypical: String
        let category: String

        enum CodingKeys: String, CodingKey {
            case stereotypical
            case antiStereotypical = "anti_stereotypical"
            case category
        }
    }

    struct Details: Encodable {
        struct Category: Encodable {
            let name: String
            let pairs: Int
            let preferredStereotypical: Int
        }
        let method: String
        let categories: [Category]
    }

    static func run(_ scorer: inout ModelScorer, _ data: Dataset<Item>, _ parameters: TaskParameters, _ report: Progress) throws -> TaskOutcome {
        let masked = Architecture.of(scorer.checkpoint).contains(.maskedLM)
        var preferred: [Double] = []
        var differences: [Double] = []
        var byCategory: [String: [Double]] = [:]
        for (index, entry) in data.items.enumerated() {
            let category = try categoryName(entry.item.category, line: entry.line, data.name)
            let (more, less) =
                masked
                ? try pseudoLogLikelihoods(entry.item.stereotypical, entry.item.antiStereotypical, &scorer)
                : (try sentenceLogLikelihood(entry.item.stereotypical, &scorer), try sentenceLogLikelihood(entry.item.antiStereotypical, &scorer))
            let outcome: Double = more > less ? 1 : 0
            preferred.append(outcome)
            differences.append(abs(more - less))
            byCategory[category, default: []].append(outcome)
            try report.step(index + 1)
        }
        var metrics: [TaskOutcome.Metric] = [
            .mean("stereotype_share", of: preferred),
            .mean("likelihood_difference", of: differences),
        ]
        for (name, values) in byCategory.sorted(by: { $0.key < $1.key }) {
            metrics.append(
                .mean("stereotype_share.\(name)", of: values))
        }
        let categories = byCategory.sorted { $0.key < $1.key }.map {
            Details.Category(name: $0.key, pairs: $0.value.count, preferredStereotypical: Int($0.value.reduce(0, +)))
        }
        return TaskOutcome(
            metrics: metrics,
            details: try DetailsJSON.encode(Details(method: masked ? "pseudo_log_likelihood" : "log_likelihood", categories: categories)),
            items: data.items.count, tokensProcessed: scorer.tokensProcessed)
    }

    /// Categories become metric-name suffixes: lowercase, spaces and hyphens as underscores.
    static func categoryName(_ raw: String, line: Int, _ name: String) throws -> String {
        let category = raw.lowercased().replacing(" ", with: "_").replacing("-", with: "_")
        guard category.wholeMatch(of: /[a-z0-9_]{1,40}/) != nil else {
            throw EvaluationError.dataset(name, line: line, "category '\(raw.prefix(40))' must be letters, digits, spaces, '-' or '_' (at most 40)")
        }
        return category
    }

    /// Σ log p(token | previous tokens) over the sentence, after the end-of-text token when the vocabulary has one.
    static func sentenceLogLikelihood(_ text: String, _ scorer: inout ModelScorer) throws -> Double {
        let tokens = (scorer.documentPrefix.map { [$0] } ?? []) + scorer.tokenizer.encode(text, addSpecialTokens: false).ids
        return try scorer.causalLogProbabilities(tokens).reduce(0, +)
    }

    /// CrowS-Pairs' score of both sentences: for each token the two share (the unmodified part, found as a longest
    /// common subsequence of their token ids), mask it and add log p(token | the rest).
    static func pseudoLogLikelihoods(_ first: String, _ second: String, _ scorer: inout ModelScorer) throws -> (Double, Double) {
        guard let maskID = maskToken(scorer) else { throw EvaluationError("the tokenizer has no mask token ([MASK] or <mask>)") }
        let a = scorer.tokenizer.encode(first), b = scorer.tokenizer.encode(second)
        let (innerA, innerB) = (inner(a.ids, first, scorer), inner(b.ids, second, scorer))
        let difference = b.ids[innerB].difference(from: a.ids[innerA])
        let removed = Set(difference.removals.map { change -> Int in if case let .remove(offset, _, _) = change { offset } else { -1 } })
        let inserted = Set(difference.insertions.map { change -> Int in if case let .insert(offset, _, _) = change { offset } else { -1 } })
        let sharedA = innerA.filter { !removed.contains($0 - innerA.lowerBound) }
        let sharedB = innerB.filter { !inserted.contains($0 - innerB.lowerBound) }
        func score(_ ids: [Int32], _ positions: [Int]) throws -> Double {
            var total = 0.0
            for position in positions {
                var masked = ids
                masked[position] = maskID
                total += try scorer.maskedLogDistributions(masked, at: [position])[0][Int(ids[position])]
            }
            return total
        }
        return (try score(a.ids, sharedA), try score(b.ids, sharedB))
    }

    /// Where the sentence's own tokens sit between the special tokens the post-processor added.
    static func inner(_ ids: [Int32], _ text: String, _ scorer: ModelScorer) -> Range<Int> {
        let plain = scorer.tokenizer.encode(text, addSpecialTokens: false).ids
        guard plain.count <= ids.count else { return 0..<ids.count }
        for start in 0...(ids.count - plain.count) where Array(ids[start..<start + plain.count]) == plain {
            return start..<start + plain.count
        }
        return 0..<ids.count
    }

    static func maskToken(_ scorer: ModelScorer) -> Int32? {
        (scorer.tokenizer.id(of: "[MASK]") ?? scorer.tokenizer.id(of: "<mask>")).map(Int32.init)
    }
}
