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
    }
}
