import Foundation

/// A Hugging Face model directory, loaded: tokenizer, model and sentence-embedding pooling.
///
/// ```swift
/// let checkpoint = try Checkpoint(directory: ".data/models/all-MiniLM-L6-v2")
/// let result = try checkpoint.embed(["Working groups share compute."])
/// print(result.vectors[0].prefix(4))
/// ```
public struct Checkpoint: Sendable {
    /// The directory it was loaded from.
    public let directory: String
    /// The tokenizer from `tokenizer.json`.
    public let tokenizer: Tokenizer
    /// The model.
    public let model: LanguageModel
    /// Sentence-embedding pooling.
    public let pooling: Pooling
    /// Longest input in tokens, special tokens included: the model's context, or a smaller
    /// `max_seq_length` from `sentence_bert_config.json`.
    public let maxLength: Int

    /// Loads `config.json`, the safetensors weights and `tokenizer.json` from `directory`.
    /// - Throws: ``ModelError``, ``SafetensorsError`` or ``TokenizerError`` naming the file at fault.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError(.missingFile, "\(directory): not a checkpoint directory")
        }
        self.directory = directory
        // The tokenizer first: it is quick to load and a missing one should not cost a weight load.
        let tokenizerPath = directory + "/tokenizer.json"
        guard FileManager.default.fileExists(atPath: tokenizerPath) else {
            throw ModelError(.missingFile, "\(tokenizerPath): tokenizer.json is missing")
        }
        tokenizer = try Tokenizer(contentsOf: tokenizerPath)
        model = try LanguageModel(directory: directory)
        pooling = try Pooling(directory: directory)
        struct SentenceConfig: Decodable { let max_seq_length: Int? }
        let sentenceConfig = FileManager.default.contents(atPath: directory + "/sentence_bert_config.json")
            .flatMap { try? JSONDecoder().decode(SentenceConfig.self, from: $0) }
        maxLength = min(model.maxPositions, sentenceConfig?.max_seq_length ?? Int.max)
    }

    /// Sets how many threads BLAS uses (default: all cores) and returns the count in effect.
    @discardableResult
    public static func setThreadCount(_ count: Int) -> Int { BLAS.setThreadCount(count) }

    /// Threads BLAS uses now.
    public static var threadCount: Int { BLAS.threadCount }
}
