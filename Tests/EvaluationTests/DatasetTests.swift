import Foundation
import Testing

@testable import Evaluation

/// JSONL parsing: items keep their line numbers, and every malformed line is named.
@Suite struct DatasetTests {
    struct Row: Decodable, Sendable { let text: String }

    private func parse(_ text: String, limit: Int? = nil) throws -> Dataset<Row> {
        try Dataset<Row>(data: Data(text.utf8), name: "d.jsonl", limit: limit, format: #"{"text": "…"}"#)
    }

    @Test func blankLinesAreSkippedAndLinesNumbered() throws {
        let data = try parse("{\"text\": \"a\"}\n\n  \n{\"text\": \"b\", \"extra\": 1}\n")
        #expect(data.items.map(\.line) == [1, 4])
        #expect(data.items.map(\.item.text) == ["a", "b"])
    }

    @Test func limitKeepsTheFirstItems() throws {
        #expect(try parse("{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"c\"}", limit: 2).items.map(\.item.text) == ["a", "b"])
    }

    @Test(arguments: [
        ("{\"text\": \"a\"}\n{\"txt\": \"b\"}", "d.jsonl:2: field 'text' is missing"),
        ("{\"text\": 3}", "d.jsonl:1: field 'text' has the wrong type"),
        ("{\"text\": \"a\"}\n[1, 2", "d.jsonl:2: not a JSON object"),
        ("", "d.jsonl: the dataset has no items"),
    ])
    func malformedLinesAreNamed(input: String, message: String) {
        #expect {
            try parse(input)
        } throws: { error in
            (error as? EvaluationError)?.detail.hasPrefix(message) == true
        }
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Data("{\"text\": \"".utf8)
        bytes.append(contentsOf: [0xFF, 0xFE])
        bytes.append(contentsOf: Data("\"}".utf8))
        #expect(throws: EvaluationError("d.jsonl:1: not valid UTF-8")) { try Dataset<Row>(data: bytes, name: "d.jsonl", format: "") }
    }

    @Test func parametersAreCheckedByName() throws {
        let parameters = try TaskParameters(["max_length": "16", "stride": "8", "batch_size": "2", "dataset_file": "x"], for: .perplexity)
        #expect(parameters.maxLength == 16 && parameters.stride == 8 && parameters.batchSize == 2)
        #expect(parameters.record(for: .perplexity) == ["max_length": "16", "stride": "8", "batch_size": "2"])
        #expect(throws: EvaluationError.self) { try TaskParameters(["top_k": "3"], for: .perplexity) }
        #expect(throws: EvaluationError.self) { try TaskParameters(["max_length": "8", "stride": "9"], for: .perplexity) }
        #expect(throws: EvaluationError.self) { try TaskParameters(["batch_size": "0"], for: .embeddingSimilarity) }
        #expect(throws: EvaluationError.self) { try TaskParameters(["limit": "many"], for: .multipleChoice) }
    }
}
