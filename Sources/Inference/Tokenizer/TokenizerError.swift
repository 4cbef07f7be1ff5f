/// An error found while loading a `tokenizer.json`, naming the file and what is wrong with it.
public struct TokenizerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case missingFile, invalidJSON, unsupportedComponent, invalidComponent }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The file does not exist or cannot be read.
        public static var missingFile: Self { .init(.missingFile) }
        /// The file is not JSON.
        public static var invalidJSON: Self { .init(.invalidJSON) }
        /// A stage names a type this engine does not implement.
        public static var unsupportedComponent: Self { .init(.unsupportedComponent) }
        /// A stage is missing a field or has one of the wrong kind.
        public static var invalidComponent: Self { .init(.invalidComponent) }
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The file concerned.
    public let file: String
    /// A human-readable explanation.
    public let detail: String

    init(_ code: Code, file: String, _ detail: String) {
        self.code = code
        self.file = file
        self.detail = detail
    }

    public var description: String { "\(file): \(detail) (\(code))" }
}
