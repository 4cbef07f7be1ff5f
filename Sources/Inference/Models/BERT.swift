/// `config.json` of a BERT checkpoint (`model_type: "bert"`).
struct BERTConfiguration: Decodable, Sendable {
    let vocabularySize: Int
    let hiddenSize: Int
    let layerCount: Int
    let headCount: Int
    let intermediateSize: Int
    let hiddenActivation: String
    let layerNormEpsilon: Float
    let maxPositions: Int
    let typeVocabularySize: Int
    let positionEmbeddingType: String?

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case hiddenActivation = "hidden_act"
        case layerNormEpsilon = "layer_norm_eps"
        case maxPositions = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size"
        case positionEmbeddingType = "position_embedding_type"
    }

    func validate(directory: String) throws(ModelError) {
        let sizes = [vocabularySize, hiddenSize, layerCount, headCount, intermediateSize, maxPositions, typeVocabularySize]
        try ModelConfiguration.require(sizes.allSatisfy { $0 > 0 && $0 < 1 << 24 }, "sizes must be positive and plausible", directory: directory)
        try ModelConfiguration.require(
            hiddenSize % headCount == 0, "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(headCount)", directory: directory)
        try ModelConfiguration.require(
            (positionEmbeddingType ?? "absolute") == "absolute", "position_embedding_type '\(positionEmbeddingType ?? "")' is not supported",
            directory: directory)
        try ModelConfiguration.require(
            Activation(huggingFaceName: hiddenActivation) != nil, "hidden_act '\(hiddenActivation)' is not supported", directory: directory)
    }
}

/// A BERT encoder (`BertModel`), with the masked-LM head of `BertForMaskedLM` when its weights are
/// in the checkpoint. fp32, post-LayerNorm blocks, bidirectional attention with padding masks.
public struct BERT: Sendable {
    private struct Embeddings: Sendable {
        let word: WeightMatrix  // (V, C)
        let position: WeightMatrix  // (P, C)
        let tokenType: WeightMatrix  // (TV, C)
        let norm: LayerNorm

        func callAsFunction(_ batch: PackedBatch) throws(ModelError) -> Matrix {  // → (N, C)
            var x = Matrix(rows: batch.tokenCount, cols: word.cols)
            try Embedding.add(word, ids: batch.ids, into: &x, name: "word_embeddings")
            try Embedding.add(position, ids: batch.positions, into: &x, name: "position_embeddings")
            // Single-sequence inputs: every token has type 0.
            try Embedding.add(tokenType, ids: Array(repeating: 0, count: batch.tokenCount), into: &x, name: "token_type_embeddings")
            norm.apply(&x)
            return x
        }
    }

    private struct Layer: Sendable {
        let qkv: Linear  // (3C, C): query, key and value stacked so one GEMM computes all three
        let attentionOutput: Linear  // (C, C)
        let attentionNorm: LayerNorm
        let intermediate: Linear  // (I, C)
        let output: Linear  // (C, I)
        let outputNorm: LayerNorm
        let heads: Int
        let activation: Activation

        /// Consumes `x`, so its buffer becomes the residual sum's instead of being copied.
        func callAsFunction(_ x: consuming Matrix, _ batch: PackedBatch) -> Matrix {  // (N, C) → (N, C)
            let context = Attention.forward(qkv: qkv(x), sequences: batch.ranges, heads: heads, causal: false, keyMask: batch.keyMask)  // (N, C)
            let attended = attentionOutput(context, adding: consume x, then: .layerNorm(attentionNorm))  // (N, C)
            let hidden = intermediate(attended, then: .activation(activation))  // (N, I)
            return output(hidden, adding: consume attended, then: .layerNorm(outputNorm))  // (N, C)
        }
    }

    private struct MaskedLMHead: Sendable {
        let transform: Linear  // (C, C)
        let activation: Activation
        let norm: LayerNorm
        let decoder: Linear  // (V, C), tied to the word embeddings unless the checkpoint unties it

        func callAsFunction(_ x: Matrix) -> Matrix {  // (N, C) → (N, V)
            var h = transform(x, then: .activation(activation))
            norm.apply(&h)
            return decoder(h)
        }
    }

    let configuration: BERTConfiguration
    private let embeddings: Embeddings
    private let layers: [Layer]
    private let maskedLMHead: MaskedLMHead?

    /// Longest input, special tokens included.
    public var maxPositions: Int { configuration.maxPositions }
    /// Width of the hidden states.
    public var hiddenSize: Int { configuration.hiddenSize }
    /// Whether ``maskedLMLogits(_:masks:)`` is available.
    public var hasMaskedLMHead: Bool { maskedLMHead != nil }

    /// Loads a BERT checkpoint directory strictly: every tensor must be used and have the shape
    /// `config.json` implies.
    /// - Throws: ``ModelError`` for the configuration, ``SafetensorsError`` for the weights.
    public init(directory: String) throws {
        let config = try ModelConfiguration.decode(BERTConfiguration.self, directory: directory)
        try config.validate(directory: directory)
        // Checked by `validate`; the fallback is unreachable.
        let activation = Activation(huggingFaceName: config.hiddenActivation) ?? .gelu
        let weights = try CheckpointWeights(directory: directory)
        // `BertForMaskedLM` nests the encoder under `bert.`; `BertModel` does not.
        let prefix = weights.names.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        var w = WeightBinder(weights) { name in name.hasSuffix("embeddings.position_ids") || name.hasPrefix(prefix + "pooler.") }
        let (C, I, V) = (config.hiddenSize, config.intermediateSize, config.vocabularySize)
        let eps = config.layerNormEpsilon
        func norm(_ name: String, _ w: inout WeightBinder) throws -> LayerNorm {
            LayerNorm(gain: try w.take(name + ".weight", shape: [C]), bias: try w.take(name + ".bias", shape: [C]), epsilon: eps)
        }
        func linear(_ name: String, _ out: Int, _ inp: Int, _ w: inout WeightBinder) throws -> Linear {
            Linear(weight: try w.matrix(name + ".weight", out, inp), bias: try w.take(name + ".bias", shape: [out]), weightIsInputMajor: false)
        }
        let e = prefix + "embeddings."
        let wordEmbeddings = try w.matrix(e + "word_embeddings.weight", V, C)
        embeddings = Embeddings(
            word: wordEmbeddings,
            position: try w.matrix(e + "position_embeddings.weight", config.maxPositions, C),
            tokenType: try w.matrix(e + "token_type_embeddings.weight", config.typeVocabularySize, C),
            norm: try norm(e + "LayerNorm", &w))
        layers = try (0..<config.layerCount).map { i in
            let l = prefix + "encoder.layer.\(i)."
            let attention = l + "attention.self."
            return Layer(
                // Stacking copies these three; every other weight stays mapped.
                qkv: try w.stacked(
                    [(attention + "query", C), (attention + "key", C), (attention + "value", C)], inputs: C, bias: true),
                attentionOutput: try linear(l + "attention.output.dense", C, C, &w),
                attentionNorm: try norm(l + "attention.output.LayerNorm", &w),
                intermediate: try linear(l + "intermediate.dense", I, C, &w),
                output: try linear(l + "output.dense", C, I, &w),
                outputNorm: try norm(l + "output.LayerNorm", &w),
                heads: config.headCount, activation: activation)
        }
        if w.has("cls.predictions.transform.dense.weight") {
            let untied = w.has("cls.predictions.decoder.weight")
            // The head is tied to the word embeddings unless the checkpoint stores its own decoder.
            let decoderWeight = untied ? try w.matrix("cls.predictions.decoder.weight", V, C) : wordEmbeddings
            maskedLMHead = MaskedLMHead(
                transform: try linear("cls.predictions.transform.dense", C, C, &w), activation: activation,
                norm: try norm("cls.predictions.transform.LayerNorm", &w),
                decoder: Linear(weight: decoderWeight, bias: try w.take("cls.predictions.bias", shape: [V]), weightIsInputMajor: false))
            if w.has("cls.predictions.decoder.bias") { _ = try w.take("cls.predictions.decoder.bias", shape: [V]) }
        } else {
            maskedLMHead = nil
        }
        try w.finish()
        configuration = config
    }

    private func encode(_ batch: PackedBatch) throws(ModelError) -> Matrix {  // → (N, C)
        for range in batch.ranges where range.count > configuration.maxPositions {
            throw ModelError(.sequenceTooLong, "a sequence of \(range.count) tokens exceeds max_position_embeddings \(configuration.maxPositions)")
        }
        var h = try embeddings(batch)  // (N, C)
        for layer in layers { h = layer(consume h, batch) }  // (N, C)
        return h
    }

    /// Last hidden states, one (T, C) matrix per sequence; right padding (mask 0) is dropped.
    /// - Parameters:
    ///   - sequences: token ids, special tokens included.
    ///   - masks: optional attention masks, parallel to `sequences`.
    public func hiddenStates(_ sequences: [[Int32]], masks: [[Int32]]? = nil) throws(ModelError) -> [Matrix] {
        let batch = PackedBatch(sequences, masks: masks)
        return batch.unpack(try encode(batch))
    }

    /// Masked-LM logits, one (T, V) matrix per sequence.
    /// - Throws: ``ModelError/Code/missingHead`` if the checkpoint has no `cls.predictions` weights.
    public func maskedLMLogits(_ sequences: [[Int32]], masks: [[Int32]]? = nil) throws(ModelError) -> [Matrix] {
        guard let maskedLMHead else { throw ModelError(.missingHead, "this BERT checkpoint has no masked-LM head (cls.predictions.*)") }
        let batch = PackedBatch(sequences, masks: masks)
        return batch.unpack(maskedLMHead(try encode(batch)))
    }
}
