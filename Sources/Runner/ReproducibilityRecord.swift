import Foundation

/// What a run and each of its tasks record so that anyone can execute them again and compare (`eval rerun` reads
/// exactly what the runner writes). Stored as JSON with snake_case keys.
enum ReproducibilityRecord {
    /// The run: checkpoint, machine, engine, cost.
    struct Run: Codable {
        struct File: Codable {
            let path: String
            let sha256: String
        }
        let checkpointArtifactId: String
        let checkpointSha256: String
        let checkpointFiles: [File]
        let suite: String
        let machine: MachineFacts
        let threads: Int
        let runner: String
        let attempt: Int
        let seed: Int
        let wallSeconds: Double
        let cpuSeconds: Double
        let tokens: Int
        let energyKwh: Double
        let co2eGrams: Double
        let tasks: [String]
    }

    /// One task: what it was, on which bytes, with which parameters.
    struct Task: Codable {
        struct Dataset: Codable {
            let artifactId: String?
            let path: String
            let sha256: String
        }
        let task: String
        let kind: String
        let taskVersion: Int
        let parameters: [String: String]
        let dataset: Dataset
        let tokenizerSha256: String?
        let items: Int
        let tokens: Int
        let wallSeconds: Double
        let batchSize: Int
        let threads: Int
        let seed: Int
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(T.self, from: Data(text.utf8))
    }
}
