import Foundation

extension Tokenizer {
    /// Builds the tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata, the way
    /// transformers converts it (`gguf_tokenizer_mapping.py`): for `tokenizer.ggml.model = gpt2`, a
    /// byte-level BPE over the file's tokens and merges, control tokens as special added tokens,
    /// user-defined ones as plain added tokens, and a BOS/EOS only when the file asks for one.
    ///
    /// The pipeline is written out as a `tokenizer.json` document and read by the same code as a
    /// checkpoint directory's, so both paths share one validator and one tokenizer.
    /// - Throws: ``TokenizerError`` naming the file and key for a tokenizer this engine does not implement.
    public init(gguf file: GGUFFile) throws {
        let origin = file.path + " (tokenizer.ggml metadata)"
        let model = try file.string("tokenizer.ggml.model")
        guard model == "gpt2" else {
            throw TokenizerError(
                .unsupportedComponent, file: origin, "tokenizer.ggml.model '\(model)' is not supported (supported: gpt2, byte-level BPE)")
        }
        // Vocabularies whose merges were learned over a different split than GPT-2's regex (LLaMA 3, Qwen 2, …)
        // get a Split pre-tokenizer in transformers; this engine only has GPT-2's.
        let pre = try file.optionalString("tokenizer.ggml.pre") ?? "default"
        guard !Self.ggufPreTokenizersWithOwnSplit.contains(pre) else {
            throw TokenizerError(
                .unsupportedComponent, file: origin, "tokenizer.ggml.pre '\(pre)' needs a pre-tokenizer regex this engine does not implement")
        }
        let tokens = try file.strings("tokenizer.ggml.tokens")
        let merges = file.metadata["tokenizer.ggml.merges"] == nil ? [] : try file.strings("tokenizer.ggml.merges")
        let types = try file.optionalInts("tokenizer.ggml.token_type") ?? []
        guard types.isEmpty || types.count == tokens.count else {
            throw TokenizerError(.invalidComponent, file: origin, "tokenizer.ggml.token_type has \(types.count) entries for \(tokens.count) tokens")
        }
        let alphabet = Set(ByteLevelAlphabet.byteToScalar)
        // A token outside the byte alphabet is stored as its text; spell its UTF-8 bytes as GPT-2 does.
        func spelled(_ token: String) -> String {
            if token.unicodeScalars.allSatisfy(alphabet.contains) { return token }
            var s = String.UnicodeScalarView()
            for byte in token.utf8 { s.append(ByteLevelAlphabet.scalar(for: byte)) }
            return String(s)
        }
        var vocab: [String: Int] = [:]
        for (id, token) in tokens.enumerated() where vocab[spelled(token)] == nil { vocab[spelled(token)] = id }
        var added: [[String: Any]] = []
        for (id, type) in types.enumerated() {
            let token = tokens[id]
            // 3 = CONTROL (special; skipped when not in the byte alphabet, a llama.cpp mislabel), 4 = USER_DEFINED.
            if type == 3 && token.unicodeScalars.allSatisfy(alphabet.contains) || type == 4 && vocab[token] != nil {
                added.append([
                    "id": id, "content": token, "special": type == 3, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false,
                ])
            }
        }
        func specialID(_ key: String) throws -> Int? {
            guard let id = try file.optionalInt("tokenizer.ggml." + key) else { return nil }
            guard id >= 0 && id < tokens.count else {
                throw TokenizerError(.invalidComponent, file: origin, "tokenizer.ggml.\(key) \(id) is outside the vocabulary of \(tokens.count)")
            }
            return id
        }
        var single: [[String: Any]] = [["Sequence": ["id": "A", "type_id": 0]]]
        var specials: [String: Any] = [:]
        if try file.optionalBool("tokenizer.ggml.add_bos_token") == true, let bos = try specialID("bos_token_id") {
            single.insert(["SpecialToken": ["id": tokens[bos], "type_id": 0]], at: 0)
            specials[tokens[bos]] = ["id": tokens[bos], "ids": [bos], "tokens": [tokens[bos]]]
        }
        if try file.optionalBool("tokenizer.ggml.add_eos_token") == true, let eos = try specialID("eos_token_id") {
            single.append(["SpecialToken": ["id": tokens[eos], "type_id": 0]])
            specials[tokens[eos]] = ["id": tokens[eos], "ids": [eos], "tokens": [tokens[eos]]]
        }
        var document: [String: Any] = [
            "added_tokens": added,
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            "post_processor": ["type": "TemplateProcessing", "single": single, "pair": single, "special_tokens": specials],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "vocab": vocab, "merges": merges, "ignore_merges": false],
        ]
        if let pad = try specialID("padding_token_id") { document["padding"] = ["pad_id": pad] }
        let data = try JSONSerialization.data(withJSONObject: document)
        try self.init(data: data, file: origin)
    }

    /// `tokenizer.ggml.pre` values for which transformers replaces GPT-2's split with its own regex.
    static let ggufPreTokenizersWithOwnSplit: Set<String> = [
        "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano", "dbrx", "smaug-bpe",
        "tekken", "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "qwen35", "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2",
    ]
}
