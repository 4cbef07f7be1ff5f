/// BERT's normalizer: drops control characters, maps whitespace to spaces, isolates CJK
/// ideographs, strips accents and lowercases — in that order, as Hugging Face tokenizers does.
struct BertNormalizer: Normalizer {
    let cleanText: Bool
    let handleChineseChars: Bool
    /// `nil` means "strip when lowercasing", the original BERT behaviour.
    let stripAccents: Bool?
    let lowercase: Bool

    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out = text
        if cleanText {
            out = out.compactMap { c in
                if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) { return nil }
                return Self.isWhitespace(c) ? " " : c
            }
        }
        if handleChineseChars {
            var spaced: [Unicode.Scalar] = []
            spaced.reserveCapacity(out.count)
            for c in out {
                if Self.isChineseChar(c) { spaced.append(contentsOf: [" ", c, " "]) } else { spaced.append(c) }
            }
            out = spaced
        }
        if stripAccents ?? lowercase {
            out = UnicodeNormalizer(form: .nfd).normalize(out).filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase { out = UnicodeNormalizer.lowercased(out) }
        return out
    }

    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\r" || c == " " || c.properties.isWhitespace
    }

    /// Rust's `char::is_other` minus tab/newline/return, which BERT counts as whitespace.
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c == "\t" || c == "\n" || c == "\r" { return false }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isChineseChar(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
