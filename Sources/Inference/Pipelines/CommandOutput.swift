import Foundation

/// Renders pipeline results for the `consortium infer` commands: plain text for people, one JSON
/// object per line for scripts.
public enum CommandOutput {
    private struct EmbeddingLine: Encodable {
        let text: String
        let tokens: Int
        let truncated: Bool
        let embedding: [Float]
    }

    private struct TokenizeLine: Encodable {
        let ids: [Int32]
        let tokens: [String]
    }

    private static func jsonLine(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// One line per text: the vector's components, or a JSON object with text, token count and vector.
    public static func embeddings(_ result: Checkpoint.Embeddings, texts: [String], json: Bool) -> [String] {
        result.vectors.indices.map { i in
            json
                ? jsonLine(
                    EmbeddingLine(
                        text: texts[i], tokens: result.tokenCounts[i], truncated: result.truncated.contains(i), embedding: result.vectors[i]))
                : result.vectors[i].map { String(format: "%.6f", $0) }.joined(separator: " ")
        }
    }

    /// Warnings for truncated inputs, for standard error.
    public static func truncationWarnings(_ result: Checkpoint.Embeddings, maxLength: Int) -> [String] {
        result.truncated.map { "warning: text \($0 + 1) is longer than \(maxLength) tokens and was truncated" }
    }

    /// The score as `key: value` lines, or one JSON object.
    public static func score(_ score: Checkpoint.Score, json: Bool) -> [String] {
        if json { return [jsonLine(score)] }
        return [
            "tokens: \(score.tokenCount)", "predicted tokens: \(score.predictedCount)", String(format: "mean NLL: %.6f nats", score.meanNLL),
            String(format: "perplexity: %.4f", score.perplexity), String(format: "bits per byte: %.6f", score.bitsPerByte),
        ]
    }

    /// A warning when a scored text needed several context windows, for standard error.
    public static func windowWarning(_ score: Checkpoint.Score, context: Int) -> [String] {
        score.windowCount > 1
            ? [
                "warning: text has \(score.tokenCount) tokens, more than the \(context)-token context; scored in \(score.windowCount) independent windows"
            ]
            : []
    }

    /// `id<TAB>token` lines, or one JSON object with both arrays.
    public static func tokens(_ encoding: Encoding, json: Bool) -> [String] {
        if json { return [jsonLine(TokenizeLine(ids: encoding.ids, tokens: encoding.tokens))] }
        return zip(encoding.ids, encoding.tokens).map { "\($0)\t\($1)" }
    }
}
