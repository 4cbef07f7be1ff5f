/// WordPiece: greedy longest-match-first, continuation pieces prefixed with `##`; a word with any
/// unmatchable part, or longer than `maxInputCharsPerWord`, becomes the unknown token.
struct WordPiece: TokenizerModel {
    /// Keyed by scalars, not `String`, so lookups are exact: Swift's `String` equality would match
    /// canonically equivalent spellings that the reference tokenizer treats as different.
    let vocab: Vocabulary
    let unknownID: Int
    let prefix: [Unicode.Scalar]
    let maxInputCharsPerWord: Int
    let vocabulary: [Int: String]

    init(vocab: Vocabulary, unknownID: Int, prefix: [Unicode.Scalar], maxInputCharsPerWord: Int) {
        self.vocab = vocab
        self.unknownID = unknownID
        self.prefix = prefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.vocabulary = invert(vocab)
    }

    func id(of token: String) -> Int? { vocab[Array(token.unicodeScalars)] }

    func tokenize(_ word: [Unicode.Scalar]) -> [Int] {
        if word.count > maxInputCharsPerWord { return [unknownID] }
        var ids: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int?
            while start < end {
                let piece = start > 0 ? prefix + word[start..<end] : Array(word[start..<end])
                if let id = vocab[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            ids.append(id)
            start = end
        }
        return ids
    }
}
