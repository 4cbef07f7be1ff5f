/// `Whitespace` (`\w+|[^\w\s]+`) and `WhitespaceSplit` (runs of non-whitespace) pre-tokenizers.
struct WhitespacePreTokenizer: PreTokenizer {
    let splitPunctuation: Bool

    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var currentIsWord = false
        for c in text {
            if c.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current = [] }
                continue
            }
            let isWord = !splitPunctuation || Self.isWordCharacter(c)
            if !current.isEmpty && isWord != currentIsWord { words.append(current); current = [] }
            currentIsWord = isWord
            current.append(c)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Unicode `\w`: letters, marks, decimal digits, connector punctuation and joiners.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        let p = c.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
