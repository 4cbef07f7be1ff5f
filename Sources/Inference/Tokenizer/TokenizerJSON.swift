/// Typed access to one object of `tokenizer.json`, turning every absent or ill-typed field into a
/// ``TokenizerError`` that names the file and the field's path.
struct TokenizerJSON {
    let value: JSONValue
    let path: String
    let file: String

    func child(_ key: String) -> TokenizerJSON? {
        guard let v = value[key], !v.isNull else { return nil }
        return TokenizerJSON(value: v, path: path + "." + key, file: file)
    }

    func require(_ key: String) throws(TokenizerError) -> TokenizerJSON {
        guard let child = child(key) else { throw invalid("\(path).\(key) is missing") }
        return child
    }

    func string(_ key: String) throws(TokenizerError) -> String {
        guard let s = try require(key).value.string else { throw invalid("\(path).\(key) must be a string") }
        return s
    }

    func int(_ key: String) throws(TokenizerError) -> Int {
        guard let i = try require(key).value.int else { throw invalid("\(path).\(key) must be an integer") }
        return i
    }

    func bool(_ key: String, default fallback: Bool) throws(TokenizerError) -> Bool {
        guard let child = child(key) else { return fallback }
        guard let b = child.value.bool else { throw invalid("\(path).\(key) must be true or false") }
        return b
    }

    func optionalString(_ key: String) throws(TokenizerError) -> String? {
        guard let child = child(key) else { return nil }
        guard let s = child.value.string else { throw invalid("\(path).\(key) must be a string") }
        return s
    }

    func elements() throws(TokenizerError) -> [TokenizerJSON] {
        guard let items = value.array else { throw invalid("\(path) must be an array") }
        return items.enumerated().map { TokenizerJSON(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    var type: String? { value["type"]?.string }

    func invalid(_ detail: String) -> TokenizerError { TokenizerError(.invalidComponent, file: file, detail) }

    func unsupported(_ stage: String) -> TokenizerError {
        TokenizerError(.unsupportedComponent, file: file, "\(stage) type '\(type ?? "?")' at \(path) is not supported")
    }
}
