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
        // are split by their own regex first, then spelled in bytes, as transformers converts them. Any other name
        // (SmolLM2's "smollm" among them) gets GPT-2's split, as in transformers.
        let pre = try file.optionalString("tokenizer.ggml.pre") ?? "default"
        let preTokenizer: [String: Any] =
            Self.ggufPreTokenizerSplits[pre].map { regex in
                [
                    "type": "Sequence",
                    "pretokenizers": [
                        ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false],
                        ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
                    ],
                ]
            } ?? ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
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
            "pre_tokenizer": preTokenizer,
            "post_processor": ["type": "TemplateProcessing", "single": single, "pair": single, "special_tokens": specials],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "vocab": vocab, "merges": merges, "ignore_merges": false],
        ]
        if let pad = try specialID("padding_token_id") { document["padding"] = ["pad_id": pad] }
        let data = try JSONSerialization.data(withJSONObject: document)
        try self.init(data: data, file: origin)
    }

    private static let llama3Split =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    private static let tekkenSplit =
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    private static let gpt4oSplit =
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    private static let qwen2Split =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    private static let qwen35Split =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// `tokenizer.ggml.pre` values whose vocabularies transformers splits with their own regex before spelling bytes
    /// (`GGUF_PRE_TOKENIZER_SPLITS` in transformers' gguf_tokenizer_mapping.py, 5.23), with those regexes.
    static let ggufPreTokenizerSplits: [String: String] = [
        "llama3": llama3Split, "llama-v3": llama3Split, "llama-bpe": llama3Split, "falcon3": llama3Split, "falcon-h1": llama3Split,
        "pixtral": llama3Split, "midm-2.0": llama3Split, "lfm2": llama3Split, "jina-v5-nano": llama3Split, "dbrx": llama3Split,
        "smaug-bpe": llama3Split, "tekken": tekkenSplit, "qwen2": qwen2Split, "deepseek-r1-qwen": qwen2Split, "kormo": qwen2Split,
        "f2llmv2": qwen2Split, "megrez": qwen2Split, "qwen35": qwen35Split, "gpt-4o": gpt4oSplit, "llama4": gpt4oSplit, "kanana2": gpt4oSplit,
        "talkie": gpt4oSplit, "minimax-m2": gpt4oSplit,
    ]
}
