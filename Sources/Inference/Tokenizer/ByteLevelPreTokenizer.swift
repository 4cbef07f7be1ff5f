/// GPT-2's pre-tokenizer: splits with GPT-2's regex, then spells each piece's UTF-8 bytes in the
/// printable byte-level alphabet so that every string has a lossless token spelling.
struct ByteLevelPreTokenizer: PreTokenizer {
    let addPrefixSpace: Bool
    let useRegex: Bool

    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var input = text
        if addPrefixSpace && input.first != " " { input.insert(" ", at: 0) }
        let pieces = useRegex ? Self.gpt2Split(input) : (input.isEmpty ? [] : [input[...]])
        return pieces.map { piece in
            var utf8: [UInt8] = []
            for scalar in piece { if let bytes = UTF8.encode(scalar) { utf8.append(contentsOf: bytes) } }
            return utf8.map { ByteLevelAlphabet.scalar(for: $0) }
        }
    }

    /// A hand-written matcher for
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
    /// trying the alternatives in the regex's order at each position.
    static func gpt2Split(_ s: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var pieces: [ArraySlice<Unicode.Scalar>] = []
        let n = s.count
        var i = 0
        while i < n {
            if s[i] == "'" && i + 1 < n {
                let next = s[i + 1]
                if next == "s" || next == "t" || next == "m" || next == "d" {
                    pieces.append(s[i..<(i + 2)]); i += 2; continue
                }
                if i + 2 < n {
                    let pair = (next, s[i + 2])
                    if pair == ("r", "e") || pair == ("v", "e") || pair == ("l", "l") {
                        pieces.append(s[i..<(i + 3)]); i += 3; continue
                    }
                }
            }
            let start = s[i] == " " ? i + 1 : i
            if start < n, let kind = [Kind.letter, .number, .other].first(where: { $0.matches(s[start]) }) {
                var j = start + 1
                while j < n && kind.matches(s[j]) { j += 1 }
                pieces.append(s[i..<j])
                i = j
                continue
            }
            var j = i
            while j < n && s[j].properties.isWhitespace { j += 1 }
            // `\s+(?!\S)` leaves the last space to prefix the following word.
            let end = (j < n && j - i > 1) ? j - 1 : j
            pieces.append(s[i..<end])
            i = end
        }
        return pieces
    }

    private enum Kind {
        case letter, number, other
        func matches(_ c: Unicode.Scalar) -> Bool {
            switch self {
            case .letter: ByteLevelPreTokenizer.isLetter(c)
            case .number: ByteLevelPreTokenizer.isNumber(c)
            case .other: !c.properties.isWhitespace && !ByteLevelPreTokenizer.isLetter(c) && !ByteLevelPreTokenizer.isNumber(c)
            }
        }
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }
}
