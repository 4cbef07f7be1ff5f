/// `config.json` of a GPT-2 checkpoint (`model_type: "gpt2"`).
struct GPT2Configuration: Decodable, Sendable {
    let vocabularySize: Int
    let maxPositions: Int
    let hiddenSize: Int
    let layerCount: Int
    let headCount: Int
    let innerSize: Int?
    let activationFunction: String
    let layerNormEpsilon: Float
    let scaleAttentionWeights: Bool?
    let scaleAttentionByInverseLayerIndex: Bool?

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case maxPositions = "n_positions"
        case hiddenSize = "n_embd"
        case layerCount = "n_layer"
        case headCount = "n_head"
        case innerSize = "n_inner"
        case activationFunction = "activation_function"
        case layerNormEpsilon = "layer_norm_epsilon"
        case scaleAttentionWeights = "scale_attn_weights"
        case scaleAttentionByInverseLayerIndex = "scale_attn_by_inverse_layer_idx"
    }

    func validate(directory: String) throws(ModelError) {
        let sizes = [vocabularySize, maxPositions, hiddenSize, layerCount, headCount, innerSize ?? 1]
        try ModelConfiguration.require(sizes.allSatisfy { $0 > 0 && $0 < 1 << 24 }, "sizes must be positive and plausible", directory: directory)
        try ModelConfiguration.require(
            hiddenSize % headCount == 0, "n_embd \(hiddenSize) is not divisible by n_head \(headCount)", directory: directory)
        try ModelConfiguration.require(scaleAttentionWeights ?? true, "scale_attn_weights = false is not supported", directory: directory)
        try ModelConfiguration.require(
            !(scaleAttentionByInverseLayerIndex ?? false), "scale_attn_by_inverse_layer_idx is not supported", directory: directory)
        try ModelConfiguration.require(
            Activation(huggingFaceName: activationFunction) != nil, "activation_function '\(activationFunction)' is not supported",
            directory: directory)
    }
}

/// GPT-2 with its language-model head (`GPT2LMHeadModel`): pre-LayerNorm blocks, causal attention,
/// the head tied to the token embeddings. fp32.
public struct GPT2: Sendable {
    /// GPT-2 feed-forward block: fc (C → 4C), GELU, proj (4C → C).
    private struct MLP: Sendable {
        let fc: Linear  // weight (C, 4C), Conv1D layout
        let proj: Linear  // weight (4C, C), Conv1D layout
        let activation: Activation

        func callAsFunction(_ x: Matrix, adding residual: consuming Matrix) -> Matrix {  // (N, C) → residual + (N, C)
            let h = fc(x, then: .activation(activation))  // (N, 4C)
            return proj(h, adding: consume residual)
        }
    }

    private struct Block: Sendable {
        let norm1: LayerNorm
        let attention: Linear  // c_attn, weight (C, 3C)
        let projection: Linear  // c_proj, weight (C, C)
        let norm2: LayerNorm
        let mlp: MLP
        let heads: Int

        func callAsFunction(_ x: consuming Matrix, _ batch: PackedBatch) -> Matrix {  // (N, C) → (N, C)
            let qkv = attention(norm1(x))  // (N, 3C)
            let context = Attention.forward(qkv: qkv, sequences: batch.ranges, heads: heads, causal: true, keyMask: batch.keyMask)  // (N, C)
            let attended = projection(context, adding: consume x)  // (N, C)
            return mlp(norm2(attended), adding: consume attended)  // (N, C)
        }
    }

    let configuration: GPT2Configuration
    private let tokenEmbeddings: WeightMatrix  // wte (V, C)
    private let positionEmbeddings: WeightMatrix  // wpe (P, C)
    private let blocks: [Block]
    private let finalNorm: LayerNorm
    private let head: Linear  // (V, C)

    /// Longest input the model accepts.
    public var maxPositions: Int { configuration.maxPositions }
    /// Width of the hidden states.
    public var hiddenSize: Int { configuration.hiddenSize }
    /// Vocabulary size (number of logits per token).
    public var vocabularySize: Int { configuration.vocabularySize }

    /// Loads a GPT-2 checkpoint directory strictly.
    /// - Throws: ``ModelError`` for the configuration, ``SafetensorsError`` for the weights.
    public init(directory: String) throws {
        let config = try ModelConfiguration.decode(GPT2Configuration.self, directory: directory)
        try config.validate(directory: directory)
        let activation = Activation(huggingFaceName: config.activationFunction) ?? .geluTanh
        let weights = try CheckpointWeights(directory: directory)
        let prefix = weights.names.contains("transformer.wte.weight") ? "transformer." : ""
        // Old checkpoints carry the causal-mask buffers `attn.bias` / `attn.masked_bias` as tensors.
        var w = WeightBinder(weights) { name in
            name.hasSuffix(".attn.masked_bias") || (name.hasSuffix(".attn.bias") && weights.info(name)?.shape.count == 4)
        }
        let (C, V) = (config.hiddenSize, config.vocabularySize)
        let inner = config.innerSize ?? 4 * C
        let eps = config.layerNormEpsilon
        func norm(_ name: String, _ w: inout WeightBinder) throws -> LayerNorm {
            LayerNorm(gain: try w.take(name + ".weight", shape: [C]), bias: try w.take(name + ".bias", shape: [C]), epsilon: eps)
        }
        // Hugging Face's Conv1D stores (in, out): BLAS reads it without a transpose.
        func conv1D(_ name: String, _ inp: Int, _ out: Int, _ w: inout WeightBinder) throws -> Linear {
            Linear(weight: try w.matrix(name + ".weight", inp, out), bias: try w.take(name + ".bias", shape: [out]), weightIsInputMajor: true)
        }
        let wte = try w.matrix(prefix + "wte.weight", V, C)
        tokenEmbeddings = wte
        positionEmbeddings = try w.matrix(prefix + "wpe.weight", config.maxPositions, C)
        blocks = try (0..<config.layerCount).map { i in
            let b = prefix + "h.\(i)."
            return Block(
                norm1: try norm(b + "ln_1", &w), attention: try conv1D(b + "attn.c_attn", C, 3 * C, &w),
                projection: try conv1D(b + "attn.c_proj", C, C, &w), norm2: try norm(b + "ln_2", &w),
                mlp: MLP(fc: try conv1D(b + "mlp.c_fc", C, inner, &w), proj: try conv1D(b + "mlp.c_proj", inner, C, &w), activation: activation),
                heads: config.headCount)
        }
        finalNorm = try norm(prefix + "ln_f", &w)
        // The head is tied to wte unless the checkpoint stores its own lm_head.
        head = Linear(weight: w.has("lm_head.weight") ? try w.matrix("lm_head.weight", V, C) : wte, bias: nil, weightIsInputMajor: false)
        try w.finish()
        configuration = config
    }

    private func decode(_ batch: PackedBatch) throws(ModelError) -> Matrix {  // → (N, C), after ln_f
        for range in batch.ranges where range.count > configuration.maxPositions {
            throw ModelError(.sequenceTooLong, "a sequence of \(range.count) tokens exceeds n_positions \(configuration.maxPositions)")
        }
        var x = Matrix(rows: batch.tokenCount, cols: configuration.hiddenSize)  // (N, C)
        try Embedding.add(tokenEmbeddings, ids: batch.ids, into: &x, name: "wte")
        try Embedding.add(positionEmbeddings, ids: batch.positions, into: &x, name: "wpe")
        for block in blocks { x = block(consume x, batch) }  // (N, C)
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
        return batch.unpack(head(try decode(batch)))  // (N, V)
    }
}
extension GPT2: CausalLanguageModel {
    /// Log-probability of each token given the ones before it (see ``CausalLanguageModel``), without
    /// materialising the logits.
    public func tokenLogProbabilities(_ tokens: [Int32]) throws(ModelError) -> [Float] {
        guard tokens.count > 1 else { return [] }
        let hidden = try hiddenStates([tokens], masks: nil)[0]
        return HeadLogProbabilities.compute(hidden: hidden, head: head.weight, targets: tokens.dropFirst().map { Int($0) })
    }
}
