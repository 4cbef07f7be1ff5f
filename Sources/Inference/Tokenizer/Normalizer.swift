/// The first tokenizer stage: rewrites text before it is split (lowercasing, accents, Unicode forms).
protocol Normalizer: Sendable {
    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar]
}

/// Builds the normalizer described by a `tokenizer.json` `normalizer` object.
func makeNormalizer(_ json: TokenizerJSON) throws(TokenizerError) -> any Normalizer {
    switch json.type {
    case "BertNormalizer":
        return BertNormalizer(
            cleanText: try json.bool("clean_text", default: true),
            handleChineseChars: try json.bool("handle_chinese_chars", default: true),
            stripAccents: json.child("strip_accents") == nil ? nil : try json.bool("strip_accents", default: false),
            lowercase: try json.bool("lowercase", default: true))
    case "NFC": return UnicodeNormalizer(form: .nfc)
    case "NFD": return UnicodeNormalizer(form: .nfd)
    case "NFKC": return UnicodeNormalizer(form: .nfkc)
    case "NFKD": return UnicodeNormalizer(form: .nfkd)
    case "Lowercase": return UnicodeNormalizer(form: .lowercase)
    case "StripAccents": return UnicodeNormalizer(form: .stripAccents)
    case "Sequence":
        var stages: [any Normalizer] = []
        for element in try json.require("normalizers").elements() { stages.append(try makeNormalizer(element)) }
        return SequenceNormalizer(stages: stages)
    default:
        throw json.unsupported("normalizer")
    }
}

/// Several normalizers applied in order.
struct SequenceNormalizer: Normalizer {
    let stages: [any Normalizer]
    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        stages.reduce(text) { $1.normalize($0) }
    }
}
