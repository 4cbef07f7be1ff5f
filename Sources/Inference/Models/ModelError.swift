/// An error loading a checkpoint directory or running a model on bad input.
public struct ModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingFile, invalidConfiguration, unsupportedModelType, tokenOutOfRange, sequenceTooLong, missingHead
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// A required file (`config.json`, weights, `tokenizer.json`) is absent.
        public static var missingFile: Self { .init(.missingFile) }
        /// `config.json` is malformed or describes an impossible model.
        public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
        /// `model_type` names an architecture this engine does not implement.
        public static var unsupportedModelType: Self { .init(.unsupportedModelType) }
        /// An input id is outside the model's vocabulary.
        public static var tokenOutOfRange: Self { .init(.tokenOutOfRange) }
        /// An input is longer than the model's context.
        public static var sequenceTooLong: Self { .init(.sequenceTooLong) }
        /// The requested output needs a head the checkpoint does not have.
        public static var missingHead: Self { .init(.missingHead) }
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation naming the file or input concerned.
    public let detail: String

    init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(detail) (\(code))" }
}
