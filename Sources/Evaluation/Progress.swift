import Foundation

/// Reports items done after every `batchSize` items (and the last), and lets the callback stop the task by throwing.
struct Progress {
    let total: Int
    let batchSize: Int
    let callback: (_ done: Int, _ total: Int) throws -> Void

    func step(_ done: Int) throws {
        if done % batchSize == 0 || done == total { try callback(done, total) }
    }
}

/// Task details as JSON text: snake_case keys, sorted, so equal details are equal strings.
enum DetailsJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
