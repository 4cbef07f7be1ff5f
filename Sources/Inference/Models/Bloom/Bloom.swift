/// BLOOM with its language-model head (`BloomForCausalLM`): a LayerNorm on the word embeddings,
/// ALiBi attention biases instead of position embeddings, pre-LayerNorm blocks, the tanh GELU, and
/// a head tied to the embeddings. BF16/F16 checkpoints are read into fp32.
public struct Bloom: Sendable {
    private struct Block: Sendable {
        let inputNorm: LayerNorm
        let qkv: Linear  // (3C, C), rows reordered to all queries | all keys | all values
        let dense: Linear  // (C, C)
        let postAttentionNorm: LayerNorm
        let up: Linear  // dense_h_to_4h (4C, C)
        let down: Linear  // dense_4h_to_h (C, 4C)
        let residualAfterNorm: Bool

        func callAsFunction(_ x: Matrix, _ batch: PackedBatch, _ layout: Attention.Layout, _ slopes: [Float]) -> Matrix {
            let normed = inputNorm(x)
            let context = Attention.forward(
                qkv: qkv(normed), layout: layout, sequences: batch.ranges, causal: true, keyMask: batch.keyMask, slopes: slopes)
            let attended = dense(context, adding: residualAfterNorm ? normed : x)  // (N, C)
            let normedAgain = postAttentionNorm(attended)
            let hidden = up(normedAgain, then: .activation(.geluTanh))  // (N, 4C)
            return down(hidden, adding: residualAfterNorm ? normedAgain : attended)
        }
    }

    let configuration: BloomConfiguration
    private let tokenEmbeddings: WeightMatrix  // (V, C)
    private let embeddingNorm: LayerNorm
    private let blocks: [Block]
    private let finalNorm: LayerNorm
    private let head: Linear  // (V, C)
    private let layout: Attention.Layout
    private let slopes: [Float]

    /// Longest input accepted (see ``BloomConfiguration/maxPositions``).
    public var maxPositions: Int { configuration.maxPositions }
    /// Width of the hidden states.
    public var hiddenSize: Int { configuration.hiddenSize }
    /// Vocabulary size (number of logits per token).
    public var vocabularySize: Int { configuration.vocabularySize }

    /// Loads a BLOOM checkpoint directory strictly.
    /// - Throws: ``ModelError`` for the configuration, ``SafetensorsError`` for the weights.
    public init(directory: String) throws {
        let config = try ModelConfiguration.decode(BloomConfiguration.self, directory: directory)
        try config.validate(directory: directory)
        let weights = try CheckpointWeights(directory: directory)
        let prefix = weights.names.contains("transformer.word_embeddings.weight") ? "transformer." : ""
        var w = WeightBinder(weights)
        let (C, V, NH) = (config.hiddenSize, config.vocabularySize, config.headCount)
        let d = C / NH
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(gain: try w.take(name + ".weight", shape: [C]), bias: try w.take(name + ".bias", shape: [C]), epsilon: config.layerNormEpsilon)
        }
        func linear(_ name: String, _ out: Int, _ inp: Int) throws -> Linear {
            Linear(weight: try w.matrix(name + ".weight", out, inp), bias: try w.take(name + ".bias", shape: [out]), weightIsInputMajor: false)
        }
        // transformers views the fused output as (heads, 3, d): per head its query, key and value rows.
        // Reordered here to queries | keys | values so attention reads BLOOM like every other model.
        func fusedQKV(_ name: String) throws -> Linear {
            let weight = try w.take(name + ".weight", shape: [3 * C, C])
            let bias = try w.take(name + ".bias", shape: [3 * C])
            var reorderedWeight = [Float](repeating: 0, count: weight.count)
            var reorderedBias = [Float](repeating: 0, count: bias.count)
            for h in 0..<NH {
                for part in 0..<3 {
                    for i in 0..<d {
                        let (source, target) = (h * 3 * d + part * d + i, part * C + h * d + i)
                        reorderedBias[target] = bias[source]
                        for c in 0..<C { reorderedWeight[target * C + c] = weight[source * C + c] }
                    }
                }
            }
            return Linear(weight: WeightMatrix(rows: 3 * C, cols: C, storage: reorderedWeight), bias: reorderedBias, weightIsInputMajor: false)
        }
        let embeddings = try w.matrix(prefix + "word_embeddings.weight", V, C)
        tokenEmbeddings = embeddings
        embeddingNorm = try norm(prefix + "word_embeddings_layernorm")
        blocks = try (0..<config.layerCount).map { i in
            let b = prefix + "h.\(i)."
            return Block(
                inputNorm: try norm(b + "input_layernorm"), qkv: try fusedQKV(b + "self_attention.query_key_value"),
                dense: try linear(b + "self_attention.dense", C, C), postAttentionNorm: try norm(b + "post_attention_layernorm"),
                up: try linear(b + "mlp.dense_h_to_4h", 4 * C, C), down: try linear(b + "mlp.dense_4h_to_h", C, 4 * C),
                residualAfterNorm: config.residualAfterNorm)
        }
        finalNorm = try norm(prefix + "ln_f")
        head = Linear(weight: w.has("lm_head.weight") ? try w.matrix("lm_head.weight", V, C) : embeddings, bias: nil, weightIsInputMajor: false)
        try w.finish()
        configuration = config
        layout = Attention.Layout(heads: NH, keyValueHeads: NH, headSize: d)
        slopes = ALiBi.slopes(heads: NH)
    }

    private func decode(_ batch: PackedBatch) throws(ModelError) -> Matrix {  // → (N, C), after ln_f
        for range in batch.ranges where range.count > configuration.maxPositions {
            throw ModelError(.sequenceTooLong, "a sequence of \(range.count) tokens exceeds the context of \(configuration.maxPositions)")
        }
        var x = Matrix(rows: batch.tokenCount, cols: configuration.hiddenSize)
        try Embedding.add(tokenEmbeddings, ids: batch.ids, into: &x, name: "word_embeddings")
        embeddingNorm.apply(&x)
        for block in blocks { x = block(x, batch, layout, slopes) }
        finalNorm.apply(&x)
        return x
    }

    /// Final hidden states (after `ln_f`), one (T, C) matrix per sequence; right padding is dropped.
    public func hiddenStates(_ sequences: [[Int32]], masks: [[Int32]]? = nil) throws(ModelError) -> [Matrix] {
        let batch = PackedBatch(sequences, masks: masks)
        return batch.unpack(try decode(batch))
    }

    /// Next-token logits, one (T, V) matrix per sequence; right padding is dropped.
    public func logits(_ sequences: [[Int32]], masks: [[Int32]]? = nil) throws(ModelError) -> [Matrix] {
        let batch = PackedBatch(sequences, masks: masks)
        return batch.unpack(head(try decode(batch)))
    }
}

extension Bloom: CausalLanguageModel {
    /// Log-probability of each token given the ones before it (see ``CausalLanguageModel``), without
    /// materialising the logits.
    public func tokenLogProbabilities(_ tokens: [Int32]) throws(ModelError) -> [Float] {
        guard tokens.count > 1 else { return [] }
        let hidden = try hiddenStates([tokens], masks: nil)[0]
        return HeadLogProbabilities.compute(hidden: hidden, head: head.weight, targets: tokens.dropFirst().map { Int($0) })
    }
}
