import Foundation
import Inference
import Testing

/// Exact agreement with the Hugging Face `tokenizers` library on a corpus of hard strings.
@Suite struct TokenizerCorpusTests {
    private struct Corpus: Decodable {
        let strings: [String]
        let expected: [String: [[Int32]]]

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            strings = try container.decode([String].self, forKey: Key(stringValue: "strings"))
            var expected: [String: [[Int32]]] = [:]
            for name in ["tiny-bert", "tiny-gpt2", "all-MiniLM-L6-v2"] {
                expected[name] = try container.decode([[Int32]].self, forKey: Key(stringValue: name))
            }
            self.expected = expected
        }
    }

    private static func agreement(_ tokenizer: Tokenizer, _ name: String) throws -> (matched: Int, total: Int, failures: [String]) {
        let corpus = try FixtureFiles.json("tokenizer_corpus.json", as: Corpus.self)
        let expected = try #require(corpus.expected[name])
        var failures: [String] = []
        for (text, ids) in zip(corpus.strings, expected) {
            let got = tokenizer.encode(text).ids
            if got != ids { failures.append("\(text.debugDescription): expected \(ids), got \(got)") }
        }
        return (corpus.strings.count - failures.count, corpus.strings.count, failures)
    }

    // MARK: Tests

    @Test(arguments: ["tiny-bert", "tiny-gpt2"])
    func matchesTokenizersLibrary(fixture: String) throws {
        let tokenizer = try Tokenizer(contentsOf: FixtureFiles.path("\(fixture)/tokenizer.json"))
        let result = try Self.agreement(tokenizer, fixture)
        #expect(result.total >= 1000)
        #expect(
            result.failures.isEmpty,
            "\(fixture): \(result.matched)/\(result.total) agree; first: \(result.failures.prefix(5).joined(separator: "\n"))")
    }

    /// GPT-2's own 50,257-token vocabulary, rebuilt from the ranks in openai-whisper's sdist by
    /// `Ops/fixtures/make_gpt2_tokenizer_fixture.py`, which also checks it against tiktoken.
    @Test func matchesTokenizersLibraryOnTheRealGPT2Vocabulary() throws {
        struct Reference: Decodable {
            let strings: [String]
            let ids: [[Int32]]
            let decoded: [String]
            let tiktoken_agrees: Int
        }
        let reference = try FixtureFiles.json("gpt2-bpe/reference.json", as: Reference.self)
        let tokenizer = try Tokenizer(contentsOf: FixtureFiles.path("gpt2-bpe/tokenizer.json"))
        #expect(tokenizer.id(of: "<|endoftext|>") == 50_256 && tokenizer.token(for: 50_255) != nil && tokenizer.token(for: 50_257) == nil)
        #expect(reference.strings.count >= 1000 && reference.tiktoken_agrees == reference.strings.count)
        var failures: [String] = []
        for (i, text) in reference.strings.enumerated() {
            let ids = tokenizer.encode(text).ids
            if ids != reference.ids[i] {
                failures.append("\(text.debugDescription): expected \(reference.ids[i]), got \(ids)")
            } else if tokenizer.decode(ids, skipSpecialTokens: false) != reference.decoded[i] {
                failures.append("\(text.debugDescription): decodes to \(tokenizer.decode(ids, skipSpecialTokens: false).debugDescription)")
            }
        }
        #expect(
            failures.isEmpty,
            "GPT-2: \(reference.strings.count - failures.count)/\(reference.strings.count) agree; first: \(failures.prefix(5).joined(separator: "\n"))"
        )
    }

    @Test func matchesTokenizersLibraryOnMiniLM() throws {
        let path = FixtureFiles.miniLMDirectory + "/tokenizer.json"
        try #require(FileManager.default.fileExists(atPath: path), Comment(rawValue: FixtureFiles.miniLMMissingMessage))
        let result = try Self.agreement(try Tokenizer(contentsOf: path), "all-MiniLM-L6-v2")
        #expect(
            result.failures.isEmpty, "MiniLM: \(result.matched)/\(result.total) agree; first: \(result.failures.prefix(5).joined(separator: "\n"))")
    }
}
