/// A LLaMA-family decoder with its language-model head (`LlamaForCausalLM`; SmolLM2 is one):
/// pre-RMSNorm blocks, rotary position embeddings, grouped-query attention, a SwiGLU feed-forward
/// block, and a head that is tied to the embeddings or stored separately. fp32.
public struct Llama: Sendable {
    private struct Block: Sendable {
        let attentionNorm: RMSNorm
        let qkv: Linear  // q_proj | k_proj | v_proj stacked: ((H + 2·KV)·d, C)
        let output: Linear  // o_proj (C, H·d)
        let feedForwardNorm: RMSNorm
        let gateUp: Linear  // gate_proj | up_proj stacked: (2I, C)
        let down: Linear  // down_proj (C, I)

        func callAsFunction(_ x: consuming Matrix, _ batch: PackedBatch, _ layout: Attention.Layout, _ rotary: RotaryEmbedding) -> Matrix {
            var projected = qkv(attentionNorm(x))  // (N, (H + 2·KV)·d)
            rotary.apply(&projected, layout: layout, positions: batch.positions)
            let context = Attention.forward(qkv: projected, layout: layout, sequences: batch.ranges, causal: true, keyMask: batch.keyMask)
            let attended = output(context, adding: consume x)  // (N, C)
            let gated = SwiGLU.apply(gateUp(feedForwardNorm(attended)))  // (N, I)
            return down(gated, adding: consume attended)  // (N, C)
        }
    }

    let configuration: LlamaConfiguration
    private let tokenEmbeddings: WeightMatrix  // (V, C)
    private let blocks: [Block]
    private let finalNorm: RMSNorm
    private let head: Linear  // (V, C)
    private let layout: Attention.Layout
    private let rotary: RotaryEmbedding

    /// Longest input the model accepts.
    public var maxPositions: Int { configuration.maxPositions }
    /// Width of the hidden states.
    public var hiddenSize: Int { configuration.hiddenSize }
    /// Vocabulary size (number of logits per token).
    public var vocabularySize: Int { configuration.vocabularySize }

    /// Loads a LLaMA checkpoint directory strictly.
    /// - Throws: ``ModelError`` for the configuration, ``SafetensorsError`` for the weights.
    public init(directory: String) throws {
        let config = try ModelConfiguration.decode(LlamaConfiguration.self, directory: directory)
        try self.init(configuration: config, weights: try CheckpointWeights(directory: directory), origin: directory + "/config.json")
    }

    /// Loads a LLaMA-architecture GGUF file (metadata `llama.*`, llama.cpp tensor names).
    public init(gguf file: GGUFFile) throws {
        try self.init(configuration: try LlamaConfiguration(gguf: file), weights: try GGUFWeights(file), origin: file.path)
    }

    init(configuration config: LlamaConfiguration, weights: any WeightSource, origin: String) throws {
        try config.validate(origin)
        // Old checkpoints store the rotary frequencies as a buffer; they are recomputed from rope_theta.
        var w = WeightBinder(weights) { $0.hasSuffix(".rotary_emb.inv_freq") }
        let (C, V, I) = (config.hiddenSize, config.vocabularySize, config.intermediateSize)
        let (H, KV, d) = (config.headCount, config.keyValueHeadCount, config.headSize)
        func norm(_ name: String) throws -> RMSNorm { RMSNorm(gain: try w.take(name + ".weight", shape: [C]), epsilon: config.rmsNormEpsilon) }
        let embeddings = try w.matrix("model.embed_tokens.weight", V, C)
        tokenEmbeddings = embeddings
        blocks = try (0..<config.layerCount).map { i in
            let b = "model.layers.\(i)."
            return Block(
                attentionNorm: try norm(b + "input_layernorm"),
                qkv: try w.stacked(
                    [(b + "self_attn.q_proj", H * d), (b + "self_attn.k_proj", KV * d), (b + "self_attn.v_proj", KV * d)], inputs: C,
                    bias: config.attentionBias),
                output: try w.stacked([(b + "self_attn.o_proj", C)], inputs: H * d, bias: config.attentionBias),
                feedForwardNorm: try norm(b + "post_attention_layernorm"),
                gateUp: try w.stacked([(b + "mlp.gate_proj", I), (b + "mlp.up_proj", I)], inputs: C, bias: config.mlpBias),
                down: try w.stacked([(b + "mlp.down_proj", C)], inputs: I, bias: config.mlpBias))
        }
        finalNorm = try norm("model.norm")
        // A tied checkpoint may still carry lm_head.weight (a copy); an untied one must.
        if w.has("lm_head.weight") || !config.tieWordEmbeddings {
            head = Linear(weight: try w.matrix("lm_head.weight", V, C), bias: nil, weightIsInputMajor: false)
        } else {
            head = Linear(weight: embeddings, bias: nil, weightIsInputMajor: false)
        }
        try w.finish()
        configuration = config
        layout = Attention.Layout(heads: H, keyValueHeads: KV, headSize: d)
        rotary = RotaryEmbedding(headSize: d, base: config.ropeTheta)
    }

    private func decode(_ batch: PackedBatch) throws(ModelError) -> Matrix {  // → (N, C), after the final norm
        for range in batch.ranges where range.count > configuration.maxPositions {
            throw ModelError(.sequenceTooLong, "a sequence of \(range.count) tokens exceeds max_position_embeddings \(configuration.maxPositions)")
        }
        var x = Matrix(rows: batch.tokenCount, cols: configuration.hiddenSize)  // (N, C)
        try Embedding.add(tokenEmbeddings, ids: batch.ids, into: &x, name: "embed_tokens")
        for block in blocks { x = block(consume x, batch, layout, rotary) }
        finalNorm.apply(&x)
        return x
    }

    /// Final hidden states (after the last RMSNorm), one (T, C) matrix per sequence; right padding is dropped.
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

extension Llama: CausalLanguageModel {
    /// Log-probability of each token given the ones before it (see ``CausalLanguageModel``), without
    /// materialising the logits.
    public func tokenLogProbabilities(_ tokens: [Int32]) throws(ModelError) -> [Float] {
        guard tokens.count > 1 else { return [] }
        let hidden = try hiddenStates([tokens], masks: nil)[0]
        return HeadLogProbabilities.compute(hidden: hidden, head: head.weight, targets: tokens.dropFirst().map { Int($0) })
    }
}
