/// `config.json` of a BLOOM checkpoint (`model_type: "bloom"`).
struct BloomConfiguration: Decodable, Sendable {
    let vocabularySize: Int
    let hiddenSize: Int
    let layerCount: Int
    let headCount: Int
    let layerNormEpsilon: Float
    let residualAfterNorm: Bool
    let pretrainingTensorParallelism: Int
    let slowButExact: Bool
    /// BLOOM has no position table (ALiBi extrapolates); `seq_length` when the config names one, else
    /// the 2,048 tokens the BigScience models were trained on, so over-long inputs are refused rather
    /// than silently scored out of distribution.
    let maxPositions: Int

    private enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", embeddingSize = "n_embed", layerCount = "n_layer"
        case layerCountAlias = "num_hidden_layers", headCount = "n_head", headCountAlias = "num_attention_heads"
        case layerNormEpsilon = "layer_norm_epsilon", residualAfterNorm = "apply_residual_connection_post_layernorm"
        case pretrainingTensorParallelism = "pretraining_tp", slowButExact = "slow_but_exact", sequenceLength = "seq_length"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        // Older BigScience configs say n_embed; transformers writes hidden_size.
        guard let hidden = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? c.decodeIfPresent(Int.self, forKey: .embeddingSize) else {
            throw DecodingError.keyNotFound(CodingKeys.hiddenSize, .init(codingPath: [], debugDescription: "hidden_size or n_embed"))
        }
        hiddenSize = hidden
        guard let layers = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? c.decodeIfPresent(Int.self, forKey: .layerCountAlias) else {
            throw DecodingError.keyNotFound(CodingKeys.layerCount, .init(codingPath: [], debugDescription: "n_layer"))
        }
        layerCount = layers
        guard let heads = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? c.decodeIfPresent(Int.self, forKey: .headCountAlias) else {
            throw DecodingError.keyNotFound(CodingKeys.headCount, .init(codingPath: [], debugDescription: "n_head"))
        }
        headCount = heads
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5
        residualAfterNorm = try c.decodeIfPresent(Bool.self, forKey: .residualAfterNorm) ?? false
        pretrainingTensorParallelism = try c.decodeIfPresent(Int.self, forKey: .pretrainingTensorParallelism) ?? 1
        slowButExact = try c.decodeIfPresent(Bool.self, forKey: .slowButExact) ?? false
        maxPositions = try c.decodeIfPresent(Int.self, forKey: .sequenceLength) ?? 2048
    }

    func validate(directory: String) throws(ModelError) {
        let sizes = [vocabularySize, hiddenSize, layerCount, headCount, maxPositions]
        try ModelConfiguration.require(sizes.allSatisfy { $0 > 0 && $0 < 1 << 24 }, "sizes must be positive and plausible", directory: directory)
        try ModelConfiguration.require(
            hiddenSize % headCount == 0, "hidden_size \(hiddenSize) is not divisible by n_head \(headCount)", directory: directory)
        // transformers' slow_but_exact path sums tensor-parallel slices separately, which changes rounding only.
        try ModelConfiguration.require(
            !(slowButExact && pretrainingTensorParallelism > 1), "slow_but_exact with pretraining_tp > 1 is not supported", directory: directory)
    }
}
