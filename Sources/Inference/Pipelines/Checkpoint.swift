import Foundation

/// A loaded checkpoint: a Hugging Face model directory or a GGUF file, with its tokenizer, model and
/// sentence-embedding pooling.
///
/// ```swift
/// let checkpoint = try Checkpoint(path: ".data/models/all-MiniLM-L6-v2")
/// let result = try checkpoint.embed(["Working groups share compute."])
/// print(result.vectors[0].prefix(4))
/// ```
public struct Checkpoint: Sendable {
    /// The directory or GGUF file it was loaded from.
    public let directory: String
    /// The tokenizer from `tokenizer.json` (or the GGUF file's tokenizer metadata).
    public let tokenizer: Tokenizer
    /// The model.
    public let model: LanguageModel
    /// Sentence-embedding pooling.
    public let pooling: Pooling
    /// Longest input in tokens, special tokens included: the model's context, or a smaller
    /// `max_seq_length` from `sentence_bert_config.json`.
    public let maxLength: Int

    /// Loads a checkpoint directory; see ``init(path:)``.
    public init(directory: String) throws { try self.init(path: directory) }

    /// Loads a checkpoint from `path`: a directory with `config.json`, the safetensors weights and
    /// `tokenizer.json`; a GGUF file; or a directory holding exactly one `.gguf` file and no `config.json`
    /// (how a GGUF checkpoint artifact is unpacked).
    /// - Throws: ``ModelError``, ``SafetensorsError``, ``GGUFError`` or ``TokenizerError`` naming the file at fault.
    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError(.missingFile, "\(path): no such checkpoint directory or GGUF file")
        }
        directory = path
        if let ggufPath = Self.ggufFile(at: path, isDirectory: isDirectory.boolValue) {
            let file = try GGUFFile(path: ggufPath)
            tokenizer = try Tokenizer(gguf: file)
            model = try LanguageModel(gguf: file)
            pooling = .default
            maxLength = model.maxPositions
            return
        }
        // The tokenizer first: it is quick to load and a missing one should not cost a weight load.
        let tokenizerPath = path + "/tokenizer.json"
        guard FileManager.default.fileExists(atPath: tokenizerPath) else {
            throw ModelError(.missingFile, "\(tokenizerPath): tokenizer.json is missing")
        }
        tokenizer = try Tokenizer(contentsOf: tokenizerPath)
        model = try LanguageModel(directory: path)
        pooling = try Pooling(directory: path)
        struct SentenceConfig: Decodable { let max_seq_length: Int? }
        let sentenceConfig = FileManager.default.contents(atPath: path + "/sentence_bert_config.json")
            .flatMap { try? JSONDecoder().decode(SentenceConfig.self, from: $0) }
        maxLength = min(model.maxPositions, sentenceConfig?.max_seq_length ?? Int.max)
    }

    /// Only the tokenizer of the checkpoint at `path` (any form ``init(path:)`` accepts), without loading weights.
    public static func tokenizer(path: String) throws -> Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError(.missingFile, "\(path): no such checkpoint directory or GGUF file")
        }
        if let ggufPath = ggufFile(at: path, isDirectory: isDirectory.boolValue) { return try Tokenizer(gguf: try GGUFFile(path: ggufPath)) }
        return try Tokenizer(contentsOf: path + "/tokenizer.json")
    }

    /// The GGUF file a checkpoint path means: the path itself when it is a file, else the only `.gguf` file in a
    /// directory without a `config.json`; nil for a Hugging Face directory.
    private static func ggufFile(at path: String, isDirectory: Bool) -> String? {
        guard isDirectory else { return path }
        let manager = FileManager.default
        let directory = path
        guard !manager.fileExists(atPath: directory + "/config.json"),
            let names = try? manager.contentsOfDirectory(atPath: directory).filter({ $0.hasSuffix(".gguf") }), names.count == 1
        else { return nil }
        return directory + "/" + names[0]
    }

    /// Sets how many threads BLAS uses (default: all cores) and returns the count in effect.
    @discardableResult
    public static func setThreadCount(_ count: Int) -> Int { BLAS.setThreadCount(count) }

    /// Threads BLAS uses now.
    public static var threadCount: Int { BLAS.threadCount }
}
