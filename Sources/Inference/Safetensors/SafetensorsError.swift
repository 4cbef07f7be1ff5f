/// An error found while reading a safetensors checkpoint, naming the file and, where known, the tensor.
///
/// The reader validates everything in the header before trusting it, so every way a file can be
/// malformed maps to one ``Code``.
public struct SafetensorsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, independent of the file it went wrong in.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadableFile, truncatedFile, headerLengthOutOfBounds, invalidHeader, unknownDType
            case sizeMismatch, offsetsOutOfRange, overlappingTensors, unusedBytes, missingTensor
            case unexpectedTensor, shapeMismatch, unsupportedDType, invalidIndex
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be opened or mapped.
        public static var unreadableFile: Self { .init(.unreadableFile) }
        /// The file is shorter than its 8-byte length prefix.
        public static var truncatedFile: Self { .init(.truncatedFile) }
        /// The header length is larger than the file or than the 100 MB limit.
        public static var headerLengthOutOfBounds: Self { .init(.headerLengthOutOfBounds) }
        /// The header is not the expected JSON object.
        public static var invalidHeader: Self { .init(.invalidHeader) }
        /// A tensor uses a dtype this reader does not know.
        public static var unknownDType: Self { .init(.unknownDType) }
        /// A tensor's shape times its dtype size disagrees with its byte range.
        public static var sizeMismatch: Self { .init(.sizeMismatch) }
        /// A tensor's byte range lies outside the data section.
        public static var offsetsOutOfRange: Self { .init(.offsetsOutOfRange) }
        /// Two tensors share bytes.
        public static var overlappingTensors: Self { .init(.overlappingTensors) }
        /// Bytes of the data section belong to no tensor.
        public static var unusedBytes: Self { .init(.unusedBytes) }
        /// A tensor the model needs is not in the checkpoint.
        public static var missingTensor: Self { .init(.missingTensor) }
        /// The checkpoint holds a tensor the model does not know.
        public static var unexpectedTensor: Self { .init(.unexpectedTensor) }
        /// A tensor's shape disagrees with the model configuration.
        public static var shapeMismatch: Self { .init(.shapeMismatch) }
        /// A tensor is valid but cannot be read as floating point.
        public static var unsupportedDType: Self { .init(.unsupportedDType) }
        /// A sharded checkpoint's `model.safetensors.index.json` is malformed.
        public static var invalidIndex: Self { .init(.invalidIndex) }

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The file (path or name) the problem was found in.
    public let file: String
    /// The tensor concerned, if the problem is about one tensor.
    public let tensor: String?
    /// A human-readable explanation.
    public let detail: String

    init(_ code: Code, file: String, tensor: String? = nil, _ detail: String) {
        self.code = code
        self.file = file
        self.tensor = tensor
        self.detail = detail
    }

    public var description: String {
        let subject = tensor.map { "\(file): tensor '\($0)'" } ?? file
        return "\(subject): \(detail) (\(code))"
    }
}
