/// The tokenizer's output for one text: ids ready for a model, plus what a person needs to see them.
public struct Encoding: Sendable, Equatable {
    /// Token ids, special tokens included, padding included if padded.
    public var ids: [Int32]
    /// Token strings, parallel to ``ids``.
    public var tokens: [String]
    /// 1 for a real token, 0 for padding.
    public var attentionMask: [Int32]
    /// Segment ids (all 0 for a single sequence).
    public var typeIDs: [Int32]
    /// How many tokens truncation dropped (0 if none).
    public var truncatedCount: Int

    /// Number of real (unpadded) tokens.
    public var length: Int { attentionMask.reduce(0) { $0 + Int($1) } }
}
