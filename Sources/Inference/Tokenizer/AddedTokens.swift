/// The `added_tokens` of a tokenizer (special tokens such as `[CLS]`), which are cut out of the raw
/// text before normalization so that they are never split.
struct AddedTokens: Sendable {
    struct Token: Sendable {
        let content: [Unicode.Scalar]
        let id: Int
        let special: Bool
        let stripLeft: Bool
        let stripRight: Bool
    }

    /// A stretch of input: plain text for the pipeline, or an added token's id.
    enum Piece: Equatable {
        case text([Unicode.Scalar])
        case token(Int)
    }

    let tokens: [Token]

    init(_ json: TokenizerJSON?) throws(TokenizerError) {
        var tokens: [Token] = []
        for element in try json?.elements() ?? [] {
            let content = try element.string("content")
            guard !content.isEmpty else { throw element.invalid("\(element.path).content must not be empty") }
            tokens.append(
                Token(
                    content: Array(content.unicodeScalars), id: try element.int("id"), special: try element.bool("special", default: false),
                    stripLeft: try element.bool("lstrip", default: false), stripRight: try element.bool("rstrip", default: false)))
        }
        // Longest first, so that of two tokens starting at the same place the longer one wins.
        self.tokens = tokens.sorted { $0.content.count > $1.content.count }
    }

    var specialIDs: Set<Int> { Set(tokens.filter(\.special).map(\.id)) }

    /// Splits `text` at leftmost-longest occurrences of the added tokens.
    func split(_ text: [Unicode.Scalar]) -> [Piece] {
        guard !tokens.isEmpty else { return text.isEmpty ? [] : [.text(text)] }
        var pieces: [Piece] = []
        var plain: [Unicode.Scalar] = []
        var i = 0
        while i < text.count {
            guard let token = tokens.first(where: { matches($0.content, in: text, at: i) }) else {
                plain.append(text[i])
                i += 1
                continue
            }
            if token.stripLeft { while let last = plain.last, last.properties.isWhitespace { plain.removeLast() } }
            if !plain.isEmpty { pieces.append(.text(plain)); plain = [] }
            pieces.append(.token(token.id))
            i += token.content.count
            if token.stripRight { while i < text.count && text[i].properties.isWhitespace { i += 1 } }
        }
        if !plain.isEmpty { pieces.append(.text(plain)) }
        return pieces
    }

    private func matches(_ content: [Unicode.Scalar], in text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + content.count <= text.count else { return false }
        for k in 0..<content.count where text[start + k] != content[k] { return false }
        return true
    }
}
