import Foundation

/// Reads a model's `config.json`, turning decoding failures into a ``ModelError`` naming the file.
enum ModelConfiguration {
    static func decode<T: Decodable>(_ type: T.Type, directory: String) throws(ModelError) -> T {
        let path = directory + "/config.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.missingFile, "\(path): config.json is missing or unreadable")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ModelError(.invalidConfiguration, "\(path): missing '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ModelError(.invalidConfiguration, "\(path): '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw ModelError(.invalidConfiguration, "\(path): not a valid config.json")
        }
    }

    /// The `model_type` of a checkpoint directory.
    static func modelType(directory: String) throws(ModelError) -> String {
        struct Head: Decodable { let model_type: String }
        return try decode(Head.self, directory: directory).model_type
    }

    static func require(_ condition: Bool, _ detail: @autoclosure () -> String, directory: String) throws(ModelError) {
        if !condition { throw ModelError(.invalidConfiguration, "\(directory)/config.json: \(detail())") }
    }
}
