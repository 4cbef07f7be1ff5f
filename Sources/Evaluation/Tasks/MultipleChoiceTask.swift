import Inference

/// Log-likelihood of each choice given the context; `acc` and `acc_norm` (log-likelihood over the choice's length in
/// characters) as lm-evaluation-harness defines them, with standard errors.
struct MultipleChoiceTask {
    struct Item: Decodable, Sendable {
        let context: String
        let choices: [String]
        let answer: Int
    }

    struct Details: Encodable {
        let items: Int
        let choices: Int
        let correct: Int
        let correctNormalized: Int
    }

    static func run(_ scorer: inout ModelScorer, _ data: Dataset<Item>, _ parameters: TaskParameters, _ report: Progress) throws -> TaskOutcome {
        var (accuracy, normalized) = ([Double](), [Double]())
        var choiceCount = 0
        for (index, entry) in data.items.enumerated() {
            let item = entry.item
            guard item.choices.count >= 2 else { throw EvaluationError.dataset(data.name, line: entry.line, "needs at least two choices") }
            guard item.choices.indices.contains(item.answer) else {
                throw EvaluationError.dataset(data.name, line: entry.line, "answer \(item.answer) is not the index of a choice")
            }
            var likelihoods: [Double] = []
            for choice in item.choices {
                let (context, continuation) = try split(item.context, choice, scorer, line: entry.line, data.name)
                let all = context + continuation
                let window = Array(all.suffix(scorer.maxPositions))
                let logProbabilities = try scorer.causalLogProbabilities(window)
                likelihoods.append(logProbabilities.suffix(continuation.count).reduce(0, +))
            }
            choiceCount += item.choices.count
            accuracy.append(argmax(likelihoods) == item.answer ? 1 : 0)
            // Python's len(): code points.
            let perCharacter = zip(likelihoods, item.choices).map { $0 / Double(max(1, $1.unicodeScalars.count)) }
            normalized.append(argmax(perCharacter) == item.answer ? 1 : 0)
            try report.step(index + 1)
        }
        let n = data.items.count
        return TaskOutcome(
            metrics: [
                .mean("acc", of: accuracy),
                .mean("acc_norm", of: normalized),
            ],
            details: try DetailsJSON.encode(
                Details(items: n, choices: choiceCount, correct: Int(accuracy.reduce(0, +)), correctNormalized: Int(normalized.reduce(0, +)))),
            items: n, tokensProcessed: scorer.tokensProcessed)
    }

    /// Context and continuation tokens as lm-evaluation-harness splits them: trailing spaces of the context move to
    /// the continuation, the pair is encoded whole and the context's token count cut off the front; an empty context
    /// becomes the end-of-text token.
    static func split(_ context: String, _ choice: String, _ scorer: ModelScorer, line: Int, _ name: String) throws -> ([Int32], [Int32]) {
        var context = context.unicodeScalars
        var choice = choice
        let trailing = context.reversed().prefix { $0.properties.isWhitespace }.count
        if trailing > 0 {
            choice = String(String.UnicodeScalarView(context.suffix(trailing))) + choice
            context.removeLast(trailing)
        }
        let contextText = String(context)
        if contextText.isEmpty {
            guard let prefix = scorer.documentPrefix else {
                throw EvaluationError.dataset(name, line: line, "an empty context needs a tokenizer with an end-of-text token")
            }
            let continuation = scorer.tokenizer.encode(choice, addSpecialTokens: false).ids
            guard !continuation.isEmpty else { throw EvaluationError.dataset(name, line: line, "a choice has no tokens") }
            return ([prefix], continuation)
        }
        let whole = scorer.tokenizer.encode(contextText + choice, addSpecialTokens: false).ids
        let contextCount = scorer.tokenizer.encode(contextText, addSpecialTokens: false).ids.count
        guard whole.count > contextCount else { throw EvaluationError.dataset(name, line: line, "a choice has no tokens") }
        guard whole.count - contextCount < scorer.maxPositions else {
            throw EvaluationError.dataset(name, line: line, "a choice is longer than the model's context")
        }
        return (Array(whole[..<contextCount]), Array(whole[contextCount...]))
    }

    /// Index of the largest value; the first on ties (as NumPy's argmax).
    static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }
}
