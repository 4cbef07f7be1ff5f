extension Checkpoint {
    /// Sentence embeddings for several texts, in input order.
    public struct Embeddings: Sendable {
        /// One vector per input text.
        public let vectors: [[Float]]
        /// Tokens per text after truncation, special tokens included.
        public let tokenCounts: [Int]
        /// Indices of texts that were longer than ``Checkpoint/maxLength`` and were truncated.
        public let truncated: [Int]
    }

    /// Most tokens per forward pass: large enough for big GEMMs, small enough to bound activations.
    static let tokensPerBatch = 8192

    /// Embeds texts: tokenize, truncate to ``maxLength``, run the model on length-sorted packed
    /// batches (no padding), pool as ``pooling`` says.
    /// - Throws: ``ModelError`` if the model rejects an input.
    public func embed(_ texts: [String]) throws(ModelError) -> Embeddings {
        let encodings = texts.map { tokenizer.encode($0, maxLength: maxLength) }
        let order = encodings.indices.sorted { encodings[$0].ids.count < encodings[$1].ids.count }
        var vectors = [[Float]](repeating: [], count: texts.count)
        var start = 0
        while start < order.count {
            var end = start
            var tokens = 0
            while end < order.count && (end == start || tokens + encodings[order[end]].ids.count <= Self.tokensPerBatch) {
                tokens += encodings[order[end]].ids.count
                end += 1
            }
            let members = Array(order[start..<end])
            let states = try model.hiddenStates(members.map { encodings[$0].ids })
            for (member, state) in zip(members, states) { vectors[member] = pooling(state) }
            start = end
        }
        return Embeddings(
            vectors: vectors, tokenCounts: encodings.map(\.ids.count),
            truncated: encodings.indices.filter { encodings[$0].truncatedCount > 0 })
    }
}
