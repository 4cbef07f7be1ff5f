/// A run-time refusal: printed as one line on stderr, exit status 1 (a `ValidationError` would add the usage text).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
