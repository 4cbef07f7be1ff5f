import Foundation
public import Hummingbird

/// Decodes JSON request bodies: snake_case keys, and a clear 400 problem instead of a decoding dump.
public struct APIDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        if let strict = T.self as? any KnownFields.Type {
            // A misspelt optional field would otherwise be dropped without a word, and the caller would never know.
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Problem(status: .badRequest, type: "malformed-json", title: "Malformed JSON", detail: "The request body must be a JSON object.")
            }
            let unknown = Set(object.keys).subtracting(strict.fields).sorted()
            if let first = unknown.first {
                throw Problem.invalid(field: first, "is not a field of this request (known: \(strict.fields.sorted().joined(separator: ", ")))")
            }
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem.invalid(field: key.stringValue.snakeCased, "is required")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Problem.invalid(field: context.codingPath.map(\.stringValue.snakeCased).joined(separator: "."), "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Problem.invalid(field: context.codingPath.map(\.stringValue.snakeCased).joined(separator: "."), "must not be null")
        } catch {
            throw Problem(status: .badRequest, type: "malformed-json", title: "Malformed JSON", detail: "The request body is not valid JSON.")
        }
    }
}

extension String {
    var snakeCased: String {
        var out = ""
        for c in self {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}

/// A request body whose JSON may hold only these (snake_case) keys.
protocol KnownFields: Decodable {
    static var fields: Set<String> { get }
}
