import Foundation
import Testing

@testable import Inference

/// Each tokenizer stage on its own, with inline inputs.
@Suite struct TokenizerStageTests {
    private static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }
    private static func strings(_ words: [[Unicode.Scalar]]) -> [String] { words.map { UnicodeNormalizer.string($0) } }

    // MARK: Tests

    @Test func bertNormalizerCleansSpacesCJKStripsAccentsAndLowercases() {
        let normalizer = BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: true)
        let out = UnicodeNormalizer.string(normalizer.normalize(Self.scalars("Café\u{0}\tNAÏVE東京\u{200D}")))
        #expect(out == "cafe naive 東  京 ")
    }

    @Test func bertNormalizerKeepsAccentsWhenCased() {
        let normalizer = BertNormalizer(cleanText: true, handleChineseChars: false, stripAccents: nil, lowercase: false)
        #expect(UnicodeNormalizer.string(normalizer.normalize(Self.scalars("Café"))) == "Café")
    }

    @Test func bertPreTokenizerIsolatesPunctuationIncludingASCIISymbols() {
        let words = Self.strings(BertPreTokenizer().split(Self.scalars("a$b,  c«d»")))
        #expect(words == ["a", "$", "b", ",", "c", "«", "d", "»"])
    }

    @Test(arguments: [
        ("Hello world", ["Hello", " world"]),
        ("it's  we'll", ["it", "'s", " ", " we", "'ll"]),
        ("a   b", ["a", "  ", " b"]),
        ("x\n\ny", ["x", "\n", "\n", "y"]),
        ("42 apples!!", ["42", " apples", "!!"]),
        ("trailing   ", ["trailing", "   "]),
    ])
    func gpt2RegexSplitsLikeTheReference(input: String, expected: [String]) {
        let pieces = ByteLevelPreTokenizer.gpt2Split(Self.scalars(input)).map { UnicodeNormalizer.string(Array($0)) }
        #expect(pieces == expected)
    }

    @Test func byteLevelAlphabetRoundTripsEveryByte() {
        for byte in 0...255 {
            #expect(ByteLevelAlphabet.scalarToByte[ByteLevelAlphabet.scalar(for: UInt8(byte))] == UInt8(byte))
        }
        #expect(ByteLevelAlphabet.scalar(for: 32) == "Ġ")
    }

    @Test func wordPieceUsesLongestMatchAndUnknownForUnmatchableWords() {
        let vocab: Vocabulary = [
            Self.scalars("[UNK]"): 0, Self.scalars("un"): 1, Self.scalars("##aff"): 2, Self.scalars("##able"): 3, Self.scalars("u"): 4,
        ]
        let model = WordPiece(vocab: vocab, unknownID: 0, prefix: Self.scalars("##"), maxInputCharsPerWord: 8)
        #expect(model.tokenize(Self.scalars("unaffable")) == [0])  // 9 chars > 8
        #expect(model.tokenize(Self.scalars("unable")) == [1, 3])
        #expect(model.tokenize(Self.scalars("unx")) == [0])
    }

    @Test func addedTokensAreCutOutOfRawText() throws {
        let json = TokenizerJSON(
            value: try JSONValue.parse(Data(#"[{"id":7,"content":"[SEP]","special":true,"rstrip":true}]"#.utf8)),
            path: "$.added_tokens", file: "inline")
        let added = try AddedTokens(json)
        #expect(added.split(Self.scalars("a [SEP]  b")) == [.text(Self.scalars("a ")), .token(7), .text(Self.scalars("b"))])
        #expect(added.split(Self.scalars("[sep]")) == [.text(Self.scalars("[sep]"))])
    }

    @Test func encodeBatchPadsWithMaskAndDecodeRoundTrips() throws {
        let tokenizer = try Tokenizer(contentsOf: FixtureFiles.path("tiny-gpt2/tokenizer.json"))
        let batch = tokenizer.encodeBatch(["the consortium", "a"])
        #expect(batch[0].ids.count == batch[1].ids.count)
        #expect(batch[1].attentionMask.last == 0)
        #expect(batch[1].length == tokenizer.encode("a").ids.count)
        let text = "café 東京 👨‍👩‍👧‍👦 it's"
        #expect(tokenizer.decode(tokenizer.encode(text).ids) == text)
    }

    @Test func truncationKeepsSpecialTokensAndReportsTheCut() throws {
        let tokenizer = try Tokenizer(contentsOf: FixtureFiles.path("tiny-bert/tokenizer.json"))
        let full = tokenizer.encode("the consortium shares a supercomputer allocation")
        let cut = tokenizer.encode("the consortium shares a supercomputer allocation", maxLength: 5)
        #expect(cut.ids.count == 5)
        #expect(cut.ids.first == full.ids.first && cut.ids.last == full.ids.last)
        #expect(cut.truncatedCount == full.ids.count - 5)
        #expect(tokenizer.decode(full.ids) == "the consortium shares a supercomputer allocation")
    }

    @Test func missingTokenizerFileIsNamed() {
        do {
            _ = try Tokenizer(contentsOf: "/nonexistent/tokenizer.json")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .missingFile)
            #expect(error.file == "/nonexistent/tokenizer.json")
        }
    }

    @Test(arguments: [
        #"{"model": {"type": "Unigram", "vocab": {}}}"#,
        #"{"model": {"type": "WordPiece", "vocab": {"a": 0}}}"#,
        #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}"#,
        #"{"normalizer": {"type": "Precompiled"}, "model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}}"#,
        #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": -1}}}"#,
        #"[]"#, "not json",
    ])
    func malformedTokenizerJSONIsAnError(json: String) {
        #expect(throws: TokenizerError.self) { try Tokenizer(data: Data(json.utf8), file: "inline.json") }
    }
}
