public import Foundation

/// Where artifact file contents live, addressed by their SHA-256: the same bytes are stored once.
///
/// A local folder today (`LocalContentStore`); an S3-compatible object store can stand in later, since callers only
/// stream bytes in, learn the digest, and read ranges back by digest.
public protocol ContentStore: Sendable {
    /// Starts an upload; its bytes stay out of the store until `commit` succeeds.
    func beginUpload() async throws -> any ContentUpload
    /// The size of stored content, or nil when the store does not hold it.
    func size(of sha256: String) async throws -> Int64?
    /// Reads `range` of stored content, handing it out in pieces of at most `chunkSize` bytes.
    func read(_ sha256: String, range: Range<Int64>, chunkSize: Int, into consume: ([UInt8]) async throws -> Void) async throws
    /// Every stored object: digest, size and when it was stored.
    func objects() async throws -> [StoredObject]
    /// Removes stored content if it was stored before `cutoff`, judged at the moment of removal (an upload of the same
    /// content meanwhile makes it young again); returns whether it was removed.
    func remove(_ sha256: String, storedBefore cutoff: Date) async throws -> Bool
}

/// One object in a content store.
public struct StoredObject: Hashable, Sendable {
    public let sha256: String
    public let size: Int64
    public let storedAt: Date

    public init(sha256: String, size: Int64, storedAt: Date) {
        self.sha256 = sha256
        self.size = size
        self.storedAt = storedAt
    }
}

/// One upload in progress. Calls are made one after another by one task.
public protocol ContentUpload: Sendable {
    /// Bytes received so far.
    var size: Int64 { get }
    /// Appends bytes.
    func write(_ bytes: [UInt8]) async throws
    /// Finishes the upload: checks `expectedSHA256` when given (lowercase hex) and stores the content under its digest.
    ///
    /// - Throws: `ContentStoreError.digestMismatch` (and stores nothing) when the content has another digest.
    func commit(expectedSHA256: String?) async throws -> StoredContent
    /// Throws the bytes away.
    func abort() async
}

/// What a committed upload left in the store.
public struct StoredContent: Hashable, Sendable {
    /// Lowercase hex SHA-256.
    public let sha256: String
    public let size: Int64

    public init(sha256: String, size: Int64) {
        self.sha256 = sha256
        self.size = size
    }
}

/// Failures of a content store.
public enum ContentStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The client announced one digest and sent content with another.
    case digestMismatch(expected: String, actual: String)
    /// The database names content the store does not hold (or holds damaged).
    case missing(sha256: String)
    /// The file system refused (disk full, permissions).
    case io(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .digestMismatch(let expected, let actual): "the content's SHA-256 is \(actual), not \(expected) as announced"
        case .missing(let sha256): "content \(sha256) is not in the store"
        case .io(let operation, let errno): "\(operation) failed: \(String(cString: strerror(errno)))"
        }
    }
}
