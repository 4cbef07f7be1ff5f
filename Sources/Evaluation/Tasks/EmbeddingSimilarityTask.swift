/// STS-style: Spearman's (and Pearson's) correlation between the cosine similarity of two sentences' embeddings and
/// a gold similarity score, as sentence-transformers' `EmbeddingSimilarityEvaluator` reports it.
struct EmbeddingSimilarityTask {
    struct Item: Decodable, Sendable {
        let sentence1: String
        let sentence2: String
        let score: Double
    }

    struct Details: Encodable {
        let pairs: Int
        let meanCosine: Double
    }

    static func run(_ scorer: inout ModelScorer, _ data: Dataset<Item>, _ parameters: TaskParameters, _ report: Progress) throws -> TaskOutcome {
        var (cosines, gold) = ([Double](), [Double]())
        for (index, entry) in data.items.enumerated() {
            guard entry.item.score.isFinite else { throw EvaluationError.dataset(data.name, line: entry.line, "score must be a finite number") }
            let (a, b) = (try scorer.embedding(entry.item.sentence1), try scorer.embedding(entry.item.sentence2))
            cosines.append(cosine(a, b))
            gold.append(entry.item.score)
            try report.step(index + 1)
        }
        guard let spearman = Statistics.spearman(cosines, gold), let pearson = Statistics.pearson(cosines, gold) else {
            throw EvaluationError("\(data.name): a correlation needs at least two pairs and gold scores that are not all equal")
        }
        let n = data.items.count
        return TaskOutcome(
            metrics: [.init(name: "spearman", value: spearman, samples: n), .init(name: "pearson", value: pearson, samples: n)],
            details: try DetailsJSON.encode(Details(pairs: n, meanCosine: Statistics.mean(cosines))), items: n,
            tokensProcessed: scorer.tokensProcessed)
    }

    /// Cosine similarity in double precision (0 when either vector is zero).
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var (dot, na, nb) = (0.0, 0.0, 0.0)
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        guard na > 0, nb > 0 else { return 0 }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
