/// The third tokenizer stage: turns one pre-tokenized word into vocabulary ids.
protocol TokenizerModel: Sendable {
    func tokenize(_ word: [Unicode.Scalar]) -> [Int]
    /// Token strings by id, for display and decoding.
    var vocabulary: [Int: String] { get }
    func id(of token: String) -> Int?
}

typealias Vocabulary = [[Unicode.Scalar]: Int]

/// Builds the model described by a `tokenizer.json` `model` object.
func makeTokenizerModel(_ json: TokenizerJSON) throws(TokenizerError) -> any TokenizerModel {
    let vocab = try readVocabulary(json.require("vocab"))
    switch json.type ?? (json.child("merges") != nil ? "BPE" : "WordPiece") {
    case "WordPiece":
        let unk = try json.optionalString("unk_token")
        let prefix = try json.optionalString("continuing_subword_prefix")
        guard let unkID = vocab[Array((unk ?? "[UNK]").unicodeScalars)] else {
            throw json.invalid("unk_token '\(unk ?? "[UNK]")' is not in the vocabulary")
        }
        return WordPiece(
            vocab: vocab, unknownID: unkID, prefix: Array((prefix ?? "##").unicodeScalars),
            maxInputCharsPerWord: json.child("max_input_chars_per_word")?.value.int ?? 100)
    case "BPE":
        let prefix = try json.optionalString("continuing_subword_prefix")
        let suffix = try json.optionalString("end_of_word_suffix")
        if prefix != nil || suffix != nil {
            throw json.invalid("BPE with continuing_subword_prefix or end_of_word_suffix is not supported")
        }
        if try json.bool("byte_fallback", default: false) { throw json.invalid("BPE byte_fallback is not supported") }
        var unkID: Int?
        if let unk = try json.optionalString("unk_token") {
            guard let id = vocab[Array(unk.unicodeScalars)] else { throw json.invalid("unk_token '\(unk)' is not in the vocabulary") }
            unkID = id
        }
        return try BPE(vocab: vocab, merges: json.require("merges"), unknownID: unkID, ignoreMerges: json.bool("ignore_merges", default: false))
    default:
        throw json.unsupported("model")
    }
}

func readVocabulary(_ json: TokenizerJSON) throws(TokenizerError) -> Vocabulary {
    guard let object = json.value.object else { throw json.invalid("\(json.path) must be an object of token → id") }
    var vocab: Vocabulary = [:]
    vocab.reserveCapacity(object.count)
    for (token, value) in object {
        guard let id = value.int, id >= 0 else { throw json.invalid("\(json.path)[\"\(token)\"] must be a non-negative integer id") }
        vocab[Array(token.unicodeScalars)] = id
    }
    return vocab
}

func invert(_ vocab: Vocabulary) -> [Int: String] {
    var tokens: [Int: String] = [:]
    for (scalars, id) in vocab { tokens[id] = UnicodeNormalizer.string(scalars) }
    return tokens
}
