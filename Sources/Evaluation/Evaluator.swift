public import Foundation
public import Inference

/// Scores a loaded checkpoint on one task's dataset: "score this checkpoint on this dataset".
///
/// ```swift
/// let checkpoint = try Checkpoint(directory: "models/tiny-gpt2")
/// let outcome = try Evaluator.evaluate(.perplexity, checkpoint: checkpoint, dataset: jsonl, datasetName: "docs.jsonl",
///                                      parameters: TaskParameters(["max_length": "64"], for: .perplexity))
/// print(outcome.value("perplexity")!)
/// ```
public enum Evaluator {
    /// Runs `kind` over the JSONL `dataset`.
    /// - Parameter progress: called with (items done, items total) after every `batchSize` items; throw (for
    ///   example ``EvaluationStopped``) to stop between batches.
    /// - Throws: ``EvaluationError`` for a checkpoint the task cannot score, a malformed dataset or a model error;
    ///   whatever `progress` throws.
    public static func evaluate(
        _ kind: TaskKind, checkpoint: Checkpoint, dataset: Data, datasetName: String, parameters: TaskParameters,
        progress: (_ done: Int, _ total: Int) throws -> Void = { _, _ in }
    ) throws -> TaskOutcome {
        try withoutActuallyEscaping(progress) { progress in
            try evaluate(kind, checkpoint: checkpoint, dataset: dataset, datasetName: datasetName, parameters: parameters, escaping: progress)
        }
    }

    private static func evaluate(
        _ kind: TaskKind, checkpoint: Checkpoint, dataset: Data, datasetName: String, parameters: TaskParameters,
        escaping progress: @escaping (_ done: Int, _ total: Int) throws -> Void
    ) throws -> TaskOutcome {
        let capabilities = Architecture.of(checkpoint)
        guard !capabilities.isDisjoint(with: kind.architectures) else {
            throw EvaluationError(
                "\(kind.rawValue) needs a \(kind.architectures.map(\.rawValue).sorted().joined(separator: " or ")) checkpoint; this one is "
                    + capabilities.map(\.rawValue).sorted().joined(separator: ", "))
        }
        var scorer = ModelScorer(checkpoint)
        func load<Item>(_: Item.Type) throws -> (Dataset<Item>, Progress) {
            let data = try Dataset<Item>(data: dataset, name: datasetName, limit: parameters.limit, format: kind.datasetFormat)
            return (data, Progress(total: data.items.count, batchSize: parameters.batchSize, callback: progress))
        }
        do {
            switch kind {
            case .perplexity:
                let (data, report) = try load(PerplexityTask.Item.self)
                return try PerplexityTask.run(&scorer, data, parameters, report)
            case .multipleChoice:
                let (data, report) = try load(MultipleChoiceTask.Item.self)
                return try MultipleChoiceTask.run(&scorer, data, parameters, report)
            case .stereotypePairs:
                let (data, report) = try load(StereotypePairsTask.Item.self)
                return try StereotypePairsTask.run(&scorer, data, parameters, report)
            case .fillMaskProbe:
                let (data, report) = try load(FillMaskProbeTask.Item.self)
                return try FillMaskProbeTask.run(&scorer, data, parameters, report)
            case .embeddingSimilarity:
                let (data, report) = try load(EmbeddingSimilarityTask.Item.self)
                return try EmbeddingSimilarityTask.run(&scorer, data, parameters, report)
            }
        } catch let error as ModelError {
            throw EvaluationError("\(datasetName): the model refused an input: \(error.detail)")
        }
    }
}
