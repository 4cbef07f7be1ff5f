public import Foundation

/// A Hugging Face `tokenizer.json` pipeline: added tokens, normalizer, pre-tokenizer, model,
/// post-processor and decoder. Immutable after loading, so it can be shared across tasks.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: "model/tokenizer.json")
/// let encoding = tokenizer.encode("Working groups share compute.")
/// print(encoding.ids, encoding.tokens)
/// ```
public struct Tokenizer: Sendable {
    let addedTokens: AddedTokens
    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    let model: any TokenizerModel
    let postProcessor: PostProcessor
    let decoder: TokenDecoder
    /// The id used for padding (`padding.pad_id`, else `[PAD]`/`<pad>`, else 0).
    public let paddingID: Int32
    private let tokenStrings: [Int: String]

    /// Reads and validates a `tokenizer.json` file.
    /// - Throws: ``TokenizerError`` naming the file and the offending stage.
    public init(contentsOf path: String) throws(TokenizerError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(.missingFile, file: path, "tokenizer.json is missing or unreadable")
        }
        try self.init(data: data, file: path)
    }

    /// Builds a tokenizer from the bytes of a `tokenizer.json`; `file` names it in errors.
    public init(data: Data, file: String = "tokenizer.json") throws(TokenizerError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch {
            throw TokenizerError(.invalidJSON, file: file, "not valid JSON")
        }
        let root = TokenizerJSON(value: value, path: "$", file: file)
        guard value.object != nil else { throw root.invalid("the top level must be an object") }
        addedTokens = try AddedTokens(root.child("added_tokens"))
        normalizer = try root.child("normalizer").map { json throws(TokenizerError) in try makeNormalizer(json) }
        preTokenizer = try root.child("pre_tokenizer").map { json throws(TokenizerError) in try makePreTokenizer(json) }
        model = try makeTokenizerModel(root.require("model"))
        postProcessor = try PostProcessor(root.child("post_processor"))
        decoder = try TokenDecoder(root.child("decoder"))
        var strings = model.vocabulary
        for token in addedTokens.tokens { strings[token.id] = UnicodeNormalizer.string(token.content) }
        tokenStrings = strings
        if let id = root.child("padding")?.child("pad_id")?.value.int {
            paddingID = Int32(clamping: id)
        } else {
            paddingID = Int32(clamping: model.id(of: "[PAD]") ?? model.id(of: "<pad>") ?? 0)
        }
    }

    /// The string of a token id, if it is in the vocabulary.
    public func token(for id: Int) -> String? { tokenStrings[id] }

    /// The id of a token string, if it is in the vocabulary or an added token.
    public func id(of token: String) -> Int? {
        addedTokens.tokens.first { UnicodeNormalizer.string($0.content) == token }?.id ?? model.id(of: token)
    }

    /// Number of special tokens the post-processor adds to one sequence.
    public var specialTokenCount: Int { postProcessor.addedCount }

    /// Encodes one text.
    /// - Parameters:
    ///   - text: the input.
    ///   - addSpecialTokens: whether to apply the post-processor (`[CLS] … [SEP]`).
    ///   - maxLength: if set, the result (special tokens included) is cut to this many tokens and
    ///     ``Encoding/truncatedCount`` says how many were dropped.
    public func encode(_ text: String, addSpecialTokens: Bool = true, maxLength: Int? = nil) -> Encoding {
        var ids: [Int] = []
        for (index, piece) in addedTokens.split(Array(text.unicodeScalars)).enumerated() {
            switch piece {
            case let .token(id):
                ids.append(id)
            case let .text(scalars):
                let normalized = normalizer?.normalize(scalars) ?? scalars
                // Text after an added token does not begin the input (Metaspace's `first` scheme prepends only there).
                let words = preTokenizer?.split(pieces: [normalized], firstStartsText: index == 0) ?? [normalized]
                for word in words where !word.isEmpty {
                    ids.append(contentsOf: model.tokenize(word))
                }
            }
        }
        var truncated = 0
        let specials = addSpecialTokens ? postProcessor.addedCount : 0
        if let maxLength, ids.count + specials > maxLength {
            let keep = max(0, maxLength - specials)
            truncated = ids.count - keep
            ids.removeLast(truncated)
        }
        if addSpecialTokens { ids = postProcessor.apply(ids) }
        return Encoding(
            ids: ids.map { Int32(clamping: $0) }, tokens: ids.map { tokenStrings[$0] ?? "" },
            attentionMask: Array(repeating: 1, count: ids.count), typeIDs: Array(repeating: 0, count: ids.count),
            truncatedCount: truncated)
    }

    /// Encodes several texts and right-pads them to the longest with ``paddingID`` and a zero mask.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, maxLength: Int? = nil) -> [Encoding] {
        var encodings = texts.map { encode($0, addSpecialTokens: addSpecialTokens, maxLength: maxLength) }
        let longest = encodings.map(\.ids.count).max() ?? 0
        let padToken = tokenStrings[Int(paddingID)] ?? ""
        for i in encodings.indices {
            let missing = longest - encodings[i].ids.count
            encodings[i].ids += Array(repeating: paddingID, count: missing)
            encodings[i].tokens += Array(repeating: padToken, count: missing)
            encodings[i].attentionMask += Array(repeating: 0, count: missing)
            encodings[i].typeIDs += Array(repeating: 0, count: missing)
        }
        return encodings
    }

    /// Turns ids back into text.
    /// - Parameter skipSpecialTokens: drop special added tokens such as `[CLS]`.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        let special = skipSpecialTokens ? addedTokens.specialIDs : []
        return decoder.decode(ids.map(Int.init).filter { !special.contains($0) }.compactMap { tokenStrings[$0] })
    }
}
