/// An error found while reading a GGUF file, naming the file and, where known, the tensor or metadata key.
///
/// The reader validates the whole header before trusting any of it, so every way a file can be
/// malformed maps to one ``Code``.
public struct GGUFError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, independent of the file it went wrong in.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadableFile, truncated, badMagic, unsupportedVersion, invalidMetadata, invalidTensorInfo
            case unknownType, misaligned, outOfRange, overlap, unsupportedType, missingTensor, missingKey, wrongKeyType
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be opened or mapped.
        public static var unreadableFile: Self { .init(.unreadableFile) }
        /// The header (or a string in it) runs past the end of the file.
        public static var truncated: Self { .init(.truncated) }
        /// The file does not start with `GGUF`.
        public static var badMagic: Self { .init(.badMagic) }
        /// The version is not 2 or 3 (or the file is big-endian).
        public static var unsupportedVersion: Self { .init(.unsupportedVersion) }
        /// A key-value pair is malformed: bad key, unknown value type, impossible count, duplicate key, bad alignment.
        public static var invalidMetadata: Self { .init(.invalidMetadata) }
        /// A tensor entry is malformed: bad name, dimensions, impossible count, duplicate name.
        public static var invalidTensorInfo: Self { .init(.invalidTensorInfo) }
        /// A tensor uses a ggml type id this reader does not know, so its size cannot be checked.
        public static var unknownType: Self { .init(.unknownType) }
        /// A tensor's offset is not a multiple of the file's alignment.
        public static var misaligned: Self { .init(.misaligned) }
        /// A tensor's bytes lie (partly) outside the file.
        public static var outOfRange: Self { .init(.outOfRange) }
        /// Two tensors share bytes.
        public static var overlap: Self { .init(.overlap) }
        /// A tensor is valid but its type cannot be dequantised to `Float`.
        public static var unsupportedType: Self { .init(.unsupportedType) }
        /// The requested tensor is not in the file.
        public static var missingTensor: Self { .init(.missingTensor) }
        /// The requested metadata key is not in the file.
        public static var missingKey: Self { .init(.missingKey) }
        /// The metadata key holds a value of another type than the one asked for.
        public static var wrongKeyType: Self { .init(.wrongKeyType) }

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The file (path or name) the problem was found in.
    public let file: String
    /// The tensor concerned, if the problem is about one tensor.
    public let tensor: String?
    /// The metadata key concerned, if the problem is about one key.
    public let key: String?
    /// A human-readable explanation.
    public let detail: String

    init(_ code: Code, file: String, tensor: String? = nil, key: String? = nil, _ detail: String) {
        self.code = code
        self.file = file
        self.tensor = tensor
        self.key = key
        self.detail = detail
    }

    public var description: String {
        var subject = file
        if let tensor { subject += ": tensor '\(tensor)'" }
        if let key { subject += ": key '\(key)'" }
        return "\(subject): \(detail) (\(code))"
    }
}
