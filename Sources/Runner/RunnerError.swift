/// A run that cannot be executed as stored: missing dataset, damaged content, an unknown task kind.
struct RunnerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
