public import Foundation

/// A JSONL dataset: one JSON object per line, blank lines ignored. Items keep their 1-based line numbers so every
/// error can point at the line at fault.
public struct Dataset<Item: Decodable & Sendable>: Sendable {
    /// The file's name as errors show it.
    public let name: String
    /// The items in file order with their line numbers.
    public let items: [(line: Int, item: Item)]

    /// Largest dataset accepted, so a wrong file cannot exhaust memory.
    public static var maximumBytes: Int { 512 << 20 }

    /// Parses `data`; `name` labels errors. At most `limit` items are read.
    /// - Throws: ``EvaluationError`` naming the line for invalid UTF-8, invalid JSON, a missing or mistyped field,
    ///   or an empty dataset.
    public init(data: Data, name: String, limit: Int? = nil, format: String) throws(EvaluationError) {
        guard data.count <= Self.maximumBytes else {
            throw EvaluationError("\(name): \(data.count) bytes is more than a dataset may have (\(Self.maximumBytes))")
        }
        self.name = name
        var items: [(line: Int, item: Item)] = []
        let decoder = JSONDecoder()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if let limit, items.count >= limit { break }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            guard String(validating: line, as: UTF8.self) != nil else {
                throw .dataset(name, line: lineNumber, "not valid UTF-8")
            }
            do {
                items.append((lineNumber, try decoder.decode(Item.self, from: Data(line))))
            } catch let error as EvaluationError {
                throw .dataset(name, line: lineNumber, error.detail)
            } catch let DecodingError.keyNotFound(key, _) {
                throw .dataset(name, line: lineNumber, "field '\(key.stringValue)' is missing (each line: \(format))")
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw .dataset(name, line: lineNumber, "field '\(field)' has the wrong type (each line: \(format))")
            } catch {
                throw .dataset(name, line: lineNumber, "not a JSON object (each line: \(format))")
            }
        }
        guard !items.isEmpty else { throw EvaluationError("\(name): the dataset has no items (each line: \(format))") }
        self.items = items
    }
}
