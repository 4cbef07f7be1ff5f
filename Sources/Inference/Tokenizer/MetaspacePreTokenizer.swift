/// `Metaspace` (SentencePiece-style): spaces become the replacement character (`▁`), which is also put before the
/// text (always, never, or only before the text's first piece), and with `split` the text is cut before each one.
struct MetaspacePreTokenizer: PreTokenizer {
    enum PrependScheme: String, Sendable {
        case always, never, first
    }

    let replacement: Unicode.Scalar
    let prependScheme: PrependScheme
    let splits: Bool

    init(_ json: TokenizerJSON) throws(TokenizerError) {
        let replacement = try json.optionalString("replacement") ?? "\u{2581}"
        guard replacement.unicodeScalars.count == 1, let scalar = replacement.unicodeScalars.first else {
            throw json.invalid("\(json.path).replacement must be one character")
        }
        self.replacement = scalar
        if let scheme = try json.optionalString("prepend_scheme") {
            guard let parsed = PrependScheme(rawValue: scheme) else {
                throw json.invalid("\(json.path).prepend_scheme '\(scheme)' is not one of always, never, first")
            }
            self.prependScheme = parsed
        } else {
            // Files written before prepend_scheme existed say add_prefix_space.
            self.prependScheme = try json.bool("add_prefix_space", default: true) ? .always : .never
        }
        self.splits = try json.bool("split", default: true)
    }

    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] { self.split(text, isFirst: true) }

    func split(pieces: [[Unicode.Scalar]], firstStartsText: Bool) -> [[Unicode.Scalar]] {
        pieces.enumerated().flatMap { self.split($0.element, isFirst: firstStartsText && $0.offset == 0) }
    }

    private func split(_ text: [Unicode.Scalar], isFirst: Bool) -> [[Unicode.Scalar]] {
        guard !text.isEmpty else { return [] }  // nothing to put a replacement before
        var replaced = text.map { $0 == " " ? replacement : $0 }
        let prepends = prependScheme == .always || (prependScheme == .first && isFirst)
        if prepends, replaced.first != replacement { replaced.insert(replacement, at: 0) }
        guard splits else { return replaced.isEmpty ? [] : [replaced] }
        return SplitBehavior.mergedWithNext.apply(replaced, SplitBehavior.segments(replaced) { $0 == replacement })
    }
}
