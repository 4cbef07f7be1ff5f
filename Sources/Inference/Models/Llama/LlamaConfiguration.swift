/// `config.json` of a LLaMA-family checkpoint (`model_type: "llama"`), or the same facts read from a
/// GGUF file's `llama.*` metadata.
struct LlamaConfiguration: Decodable, Sendable {
    var vocabularySize: Int
    var hiddenSize: Int
    var intermediateSize: Int
    var layerCount: Int
    var headCount: Int
    var keyValueHeadCount: Int
    var headSize: Int
    var maxPositions: Int
    var rmsNormEpsilon: Float
    var ropeTheta: Double
    var tieWordEmbeddings: Bool
    var hiddenActivation: String
    var attentionBias: Bool
    var mlpBias: Bool
    /// `rope_scaling` / `rope_parameters.rope_type` when it is not plain RoPE (refused by `validate`).
    var ropeType: String?

    private enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case layerCount = "num_hidden_layers", headCount = "num_attention_heads", keyValueHeadCount = "num_key_value_heads"
        case headSize = "head_dim", maxPositions = "max_position_embeddings", rmsNormEpsilon = "rms_norm_eps"
        case ropeTheta = "rope_theta", ropeParameters = "rope_parameters", ropeScaling = "rope_scaling"
        case tieWordEmbeddings = "tie_word_embeddings", hiddenActivation = "hidden_act", attentionBias = "attention_bias", mlpBias = "mlp_bias"
    }

    /// transformers 5 writes `rope_parameters: {rope_type, rope_theta}`; older files a top-level `rope_theta` and `rope_scaling`.
    private struct RopeParameters: Decodable {
        let rope_type: String?
        let type: String?
        let rope_theta: Double?
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        headCount = try c.decode(Int.self, forKey: .headCount)
        keyValueHeadCount = try c.decodeIfPresent(Int.self, forKey: .keyValueHeadCount) ?? headCount
        headSize = try c.decodeIfPresent(Int.self, forKey: .headSize) ?? hiddenSize / max(1, headCount)
        maxPositions = try c.decode(Int.self, forKey: .maxPositions)
        rmsNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .rmsNormEpsilon) ?? 1e-6
        let parameters = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeParameters)
        let scaling = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeScaling)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? parameters?.rope_theta ?? 10_000
        ropeType = [parameters?.rope_type, scaling?.rope_type, scaling?.type].compactMap { $0 }.first { $0 != "default" }
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings) ?? false
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "silu"
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? false
    }

    /// Reads the `llama.*` metadata of a GGUF file the way transformers maps it to `LlamaConfig`.
    init(gguf file: GGUFFile) throws {
        let arch = try file.string("general.architecture")
        func key(_ name: String) -> String { arch + "." + name }
        hiddenSize = try file.int(key("embedding_length"))
        headCount = try file.int(key("attention.head_count"))
        keyValueHeadCount = try file.optionalInt(key("attention.head_count_kv")) ?? headCount
        headSize = try file.optionalInt(key("attention.key_length")) ?? hiddenSize / max(1, headCount)
        intermediateSize = try file.int(key("feed_forward_length"))
        layerCount = try file.int(key("block_count"))
        maxPositions = try file.int(key("context_length"))
        rmsNormEpsilon = Float(try file.float(key("attention.layer_norm_rms_epsilon")))
        ropeTheta = try file.optionalFloat(key("rope.freq_base")) ?? 10_000
        // The vocabulary size is the embedding's row count when the key is absent (older files).
        vocabularySize =
            try file.optionalInt(key("vocab_size")) ?? file.tensors["token_embd.weight"]?.shape.first
            ?? (try file.strings("tokenizer.ggml.tokens").count)
        tieWordEmbeddings = file.tensors["output.weight"] == nil
        hiddenActivation = "silu"
        attentionBias = false
        mlpBias = false
        if let rotary = try file.optionalInt(key("rope.dimension_count")), rotary != headSize {
            throw ModelError(
                .invalidConfiguration,
                "\(file.path): \(key("rope.dimension_count")) \(rotary) differs from the head size \(headSize) (partial rotary embeddings are not supported)"
            )
        }
        ropeType = try file.optionalString(key("rope.scaling.type")).flatMap { $0 == "none" ? nil : $0 }
    }

    func validate(_ origin: String) throws(ModelError) {
        func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(ModelError) {
            if !condition { throw ModelError(.invalidConfiguration, "\(origin): \(detail())") }
        }
        let sizes = [vocabularySize, hiddenSize, intermediateSize, layerCount, headCount, keyValueHeadCount, headSize, maxPositions]
        try require(sizes.allSatisfy { $0 > 0 && $0 < 1 << 24 }, "sizes must be positive and plausible")
        try require(
            headCount % keyValueHeadCount == 0, "num_attention_heads \(headCount) is not a multiple of num_key_value_heads \(keyValueHeadCount)")
        try require(headSize % 2 == 0, "head size \(headSize) must be even for rotary embeddings")
        try require(ropeTheta > 0 && ropeTheta.isFinite, "rope_theta must be positive")
        try require(rmsNormEpsilon >= 0 && rmsNormEpsilon.isFinite, "rms_norm_eps must be a non-negative number")
        try require(ropeType == nil, "rope scaling '\(ropeType ?? "")' is not supported (only plain RoPE)")
        try require(hiddenActivation == "silu", "hidden_act '\(hiddenActivation)' is not supported (only silu)")
    }
}
