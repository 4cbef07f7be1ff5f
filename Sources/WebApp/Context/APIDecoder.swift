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
