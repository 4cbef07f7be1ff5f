/// The last tokenizer stage: turns token strings back into text.
struct TokenDecoder: Sendable {
    enum Kind: Sendable { case byteLevel, wordPiece(prefix: String, cleanup: Bool), metaspace(replacement: Character, stripsFirst: Bool), plain }
    let kind: Kind

    init(_ json: TokenizerJSON?) throws(TokenizerError) {
        guard let json else {
            kind = .plain
            return
        }
        switch json.type {
        case "ByteLevel": kind = .byteLevel
        case "WordPiece":
            kind = .wordPiece(prefix: try json.optionalString("prefix") ?? "##", cleanup: try json.bool("cleanup", default: true))
        case "Metaspace":
            let replacement = try json.optionalString("replacement") ?? "\u{2581}"
            guard replacement.count == 1, let character = replacement.first else {
                throw json.invalid("\(json.path).replacement must be one character")
            }
            // What the pre-tokenizer put before the text comes off again, unless it never puts anything there.
            let prepends: Bool
            if let scheme = try json.optionalString("prepend_scheme") {
                prepends = scheme != "never"
            } else {
                prepends = try json.bool("add_prefix_space", default: true)
            }
            kind = .metaspace(replacement: character, stripsFirst: prepends)
        default:
            throw json.unsupported("decoder")
        }
    }

    func decode(_ tokens: [String]) -> String {
        switch kind {
        case .plain:
            return tokens.joined(separator: " ")
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                for scalar in token.unicodeScalars {
                    if let byte = ByteLevelAlphabet.scalarToByte[scalar] {
                        bytes.append(byte)
                    } else {
                        bytes.append(contentsOf: Array(String(scalar).utf8))
                    }
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        case let .metaspace(replacement, stripsFirst):
            // As the tokenizers library does: replacements become spaces, except in the first token, where (unless
            // nothing was ever prepended) they all go.
            var text = ""
            for (i, token) in tokens.enumerated() {
                for c in token {
                    if c != replacement {
                        text.append(c)
                    } else if i > 0 || !stripsFirst {
                        text.append(" ")
                    }
                }
            }
            return text
        case let .wordPiece(prefix, cleanup):
            var text = ""
            for (i, token) in tokens.enumerated() {
                if i > 0 && token.hasPrefix(prefix) {
                    text += token.dropFirst(prefix.count)
                } else {
                    if i > 0 { text += " " }
                    text += token
                }
            }
            guard cleanup else { return text }
            let replacements = [
                (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
            ]
            for (from, to) in replacements { text = text.replacing(from, with: to) }
            return text
        }
    }
}
