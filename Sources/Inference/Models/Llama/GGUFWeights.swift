/// A LLaMA-architecture GGUF file's tensors under the Hugging Face names `Llama` binds, dequantised
/// to `Float`, with llama.cpp's query/key row permutation undone.
///
/// llama.cpp's converter interleaves the two rotary halves of every query and key head (so that its
/// RoPE can rotate adjacent pairs); transformers rotates halves, so rows go back to
/// `[first half | second half]` per head here, as transformers' GGUF loader does.
struct GGUFWeights: WeightSource {
    let file: GGUFFile
    /// Hugging Face name → GGUF name.
    private let ggufNames: [String: String]
    private let headCount: Int
    private let keyValueHeadCount: Int

    init(_ file: GGUFFile) throws {
        self.file = file
        let arch = try file.string("general.architecture")
        headCount = try file.int(arch + ".attention.head_count")
        keyValueHeadCount = try file.optionalInt(arch + ".attention.head_count_kv") ?? headCount
        var names: [String: String] = [:]
        for name in file.tensors.keys { names[Self.huggingFaceName(name)] = name }
        ggufNames = names
    }

    var origin: String { file.path }
    var names: Set<String> { Set(ggufNames.keys) }

    func shape(of name: String) -> [Int]? { ggufNames[name].flatMap { file.tensors[$0]?.shape } }

    func path(of name: String) -> String { ggufNames[name].map { "\(file.path) (\($0))" } ?? file.path }

    func floats(_ name: String) throws -> [Float] {
        guard let ggufName = ggufNames[name], let info = file.tensors[ggufName] else {
            throw SafetensorsError(.missingTensor, file: file.path, tensor: name, "not in the GGUF file")
        }
        let values = try file.floats(ggufName)
        if ggufName.hasSuffix(".attn_q.weight") { return try Self.unpermute(values, shape: info.shape, heads: headCount, path: path(of: name)) }
        if ggufName.hasSuffix(".attn_k.weight") {
            return try Self.unpermute(values, shape: info.shape, heads: keyValueHeadCount, path: path(of: name))
        }
        return values
    }

    /// llama.cpp's names for LLaMA tensors → transformers'; names it does not know keep their GGUF
    /// name (so the binder reports them as unexpected rather than silently dropping them).
    static func huggingFaceName(_ name: String) -> String {
        let global = [
            "token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight", "output.weight": "lm_head.weight",
        ]
        if let mapped = global[name] { return mapped }
        let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]) else { return name }
        let perLayer = [
            "attn_norm.weight": "input_layernorm.weight", "attn_q.weight": "self_attn.q_proj.weight", "attn_k.weight": "self_attn.k_proj.weight",
            "attn_v.weight": "self_attn.v_proj.weight", "attn_output.weight": "self_attn.o_proj.weight",
            "ffn_norm.weight": "post_attention_layernorm.weight", "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
            "ffn_down.weight": "mlp.down_proj.weight",
        ]
        guard let mapped = perLayer[parts[2]] else { return name }
        return "model.layers.\(layer).\(mapped)"
    }

    /// Inverse of convert_hf_to_gguf's `permute`: within each head of `d` rows, GGUF row `2i + half`
    /// is Hugging Face row `half·d/2 + i`.
    static func unpermute(_ values: [Float], shape: [Int], heads: Int, path: String) throws -> [Float] {
        guard shape.count == 2, heads > 0, shape[0] % heads == 0, (shape[0] / heads) % 2 == 0 else {
            throw SafetensorsError(.shapeMismatch, file: path, tensor: nil, "shape \(shape) cannot be split into \(heads) heads of rotary pairs")
        }
        let (rows, cols) = (shape[0], shape[1])
        let d = rows / heads
        var result = [Float](repeating: 0, count: values.count)
        for h in 0..<heads {
            for half in 0..<2 {
                for i in 0..<(d / 2) {
                    let (target, source) = (h * d + half * (d / 2) + i, h * d + 2 * i + half)
                    for c in 0..<cols { result[target * cols + c] = values[source * cols + c] }
                }
            }
        }
        return result
    }
}
