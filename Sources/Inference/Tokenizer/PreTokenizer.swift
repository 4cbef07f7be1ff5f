/// The second tokenizer stage: splits normalized text into words the model tokenizes separately.
protocol PreTokenizer: Sendable {
    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]]
    /// Splits the pieces an earlier stage made, in order; `firstStartsText` says whether the first of them begins the
    /// whole input (not text after an added token), which Metaspace's `first` scheme needs to know.
    func split(pieces: [[Unicode.Scalar]], firstStartsText: Bool) -> [[Unicode.Scalar]]
}

extension PreTokenizer {
    func split(pieces: [[Unicode.Scalar]], firstStartsText: Bool) -> [[Unicode.Scalar]] { pieces.flatMap { self.split($0) } }
}

/// Builds the pre-tokenizer described by a `tokenizer.json` `pre_tokenizer` object.
func makePreTokenizer(_ json: TokenizerJSON) throws(TokenizerError) -> any PreTokenizer {
    switch json.type {
    case "BertPreTokenizer":
        return BertPreTokenizer()
    case "ByteLevel":
        return ByteLevelPreTokenizer(
            addPrefixSpace: try json.bool("add_prefix_space", default: true), useRegex: try json.bool("use_regex", default: true))
    case "Whitespace":
        return WhitespacePreTokenizer(splitPunctuation: true)
    case "WhitespaceSplit":
        return WhitespacePreTokenizer(splitPunctuation: false)
    case "Split":
        return try SplitPreTokenizer(json)
    case "Digits":
        return DigitsPreTokenizer(individualDigits: try json.bool("individual_digits", default: false))
    case "Punctuation":
        return PunctuationPreTokenizer(behavior: try SplitBehavior(json, default: .isolated))
    case "Metaspace":
        return try MetaspacePreTokenizer(json)
    case "Sequence":
        var stages: [any PreTokenizer] = []
        for element in try json.require("pretokenizers").elements() { stages.append(try makePreTokenizer(element)) }
        return SequencePreTokenizer(stages: stages)
    default:
        throw json.unsupported("pre_tokenizer")
    }
}

/// Several pre-tokenizers, each splitting the pieces of the one before.
struct SequencePreTokenizer: PreTokenizer {
    let stages: [any PreTokenizer]
    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        self.split(pieces: [text], firstStartsText: true)
    }

    func split(pieces: [[Unicode.Scalar]], firstStartsText: Bool) -> [[Unicode.Scalar]] {
        stages.reduce(pieces) { pieces, stage in stage.split(pieces: pieces, firstStartsText: firstStartsText) }
    }
}
