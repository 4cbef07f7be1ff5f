import Foundation
import Testing

@testable import Inference

/// Split (every behaviour, string and regex patterns, inverted or not), Digits, Punctuation, Metaspace and the
/// LLaMA-3 Sequence against the pieces the tokenizers library's `pre_tokenize_str` gives on 600 of the hard corpus
/// strings (`Ops/fixtures/make_pretokenizer_fixtures.py` writes them).
@Suite struct PreTokenizerReferenceTests {
    struct Reference: Decodable {
        let strings: [String]
        let cases: [Case]
        let gguf_pre_splits: [String: String]
    }

    struct Case: Decodable {
        let pieces: [[String]]
    }

    static let reference = Result { try FixtureFiles.json("pretokenizers.json", as: Reference.self) }

    /// The configurations' JSON objects, read the way a tokenizer.json is read.
    static let configurations = Result { () throws -> [TokenizerJSON] in
        let root = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("pretokenizers.json"))))
        return try TokenizerJSON(value: root, path: "$", file: "pretokenizers.json").require("cases").elements().map {
            try $0.require("pre_tokenizer")
        }
    }

    @Test func everyConfigurationSplitsAsTheTokenizersLibrary() throws {
        let reference = try Self.reference.get()
        let configurations = try Self.configurations.get()
        #expect(configurations.count == reference.cases.count)
        #expect(reference.cases.count >= 30)
        for (json, expected) in zip(configurations, reference.cases) {
            let preTokenizer = try makePreTokenizer(json)
            var mismatches: [String] = []
            for (text, pieces) in zip(reference.strings, expected.pieces) {
                let ours = preTokenizer.split(Array(text.unicodeScalars)).map { UnicodeNormalizer.string($0) }
                if ours != pieces { mismatches.append("\(text.debugDescription): ours \(ours), theirs \(pieces)") }
            }
            #expect(mismatches.isEmpty, "\(json.value): \(mismatches.count) of \(reference.strings.count) differ; first: \(mismatches.first ?? "")")
        }
    }

    /// The regexes a GGUF vocabulary gets by its `tokenizer.ggml.pre` name are transformers' own, name for name (and
    /// each is among the configurations checked above).
    @Test func ggufPreTokenizerNamesGetTransformersRegexes() throws {
        #expect(Tokenizer.ggufPreTokenizerSplits == (try Self.reference.get()).gguf_pre_splits)
    }

    /// A GGUF vocabulary named "llama-bpe" is split by LLaMA 3's regex (digits in threes) before its merges: the merge
    /// "3 4" that GPT-2's split would apply inside "12345" cannot apply across "123" | "45".
    @Test(arguments: [("llama-bpe", false), ("smollm", true), ("default", true)])
    func aGGUFVocabularyIsSplitByItsPreTokenizerName(pre: String, mergesAcrossThrees: Bool) throws {
        var b = GGUFBuilder()
        b.add("general.architecture", .string("llama"))
        b.add("tokenizer.ggml.model", .string("gpt2"))
        b.add("tokenizer.ggml.pre", .string(pre))
        let digits = (0...9).map { String($0) }
        b.add("tokenizer.ggml.tokens", .array((digits + ["34"]).map { .string($0) }))
        b.add("tokenizer.ggml.merges", .array([.string("3 4")]))
        b.addFloats("a", dimensions: [1], [0])
        let directory = try GGUFBuilder.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try GGUFBuilder.write(b.bytes(), to: directory + "/t.gguf")
        let tokenizer = try Tokenizer(gguf: try GGUFFile(path: directory + "/t.gguf"))
        let ids = tokenizer.encode("12345").ids
        #expect(ids == (mergesAcrossThrees ? [1, 2, 10, 5] : [1, 2, 3, 4, 5]), "\(pre): \(ids)")
    }

    @Test func badConfigurationsAreRefusedWithTheirPath() throws {
        for text in [
            #"{"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"}"#,
            #"{"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}"#,
            #"{"type": "Split", "behavior": "Isolated"}"#,
            #"{"type": "Metaspace", "replacement": "ab"}"#,
            #"{"type": "Metaspace", "prepend_scheme": "sometimes"}"#,
        ] {
            let json = TokenizerJSON(value: try JSONValue.parse(Data(text.utf8)), path: "$.pre_tokenizer", file: "tokenizer.json")
            #expect(throws: TokenizerError.self, "\(text)") { try makePreTokenizer(json) }
        }
    }

    @Test func metaspaceDecodingUndoesMetaspacePieces() throws {
        let decoder = try TokenDecoder(
            TokenizerJSON(
                value: try JSONValue.parse(Data(#"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"}"#.utf8)), path: "$.decoder",
                file: "tokenizer.json"))
        #expect(decoder.decode(["▁Hello", "▁wor", "ld", "▁▁again"]) == "Hello world  again")
        // Every replacement in the first token goes, as in the tokenizers library ('xa b y' there).
        #expect(decoder.decode(["▁▁x", "a▁b", "▁y"]) == "xa b y")
    }

    /// Metaspace's `first` scheme prepends only where the input begins, not after an added token; ids and decoding as
    /// the tokenizers library gives them for the committed tokenizer.json.
    @Test func metaspaceFirstPrependsOnlyAtTheStartOfTheInput() throws {
        let path = FixtureFiles.path("metaspace-first.tokenizer.json")
        let tokenizer = try Tokenizer(data: try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        #expect(tokenizer.encode("a<x>b").ids == [0, 3, 4])
        #expect(tokenizer.encode("a b<x> b").ids == [0, 5, 3, 5])
        #expect(tokenizer.encode("<x>b").ids == [3, 4])
    }
}
