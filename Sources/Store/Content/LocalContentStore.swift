import Database
import Domain
public import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A content store in a local folder: `sha256/ab/abcdef…` per object, uploads written under `tmp/` and renamed into
/// place only once complete, checked and on disk (fsync), so a crash never leaves a half-written object.
///
/// File I/O runs on NIO's blocking thread pool, never on the cooperative pool.
public struct LocalContentStore: ContentStore {
    /// The folder holding `sha256/` and `tmp/`.
    public let root: URL

    /// Creates the store's folders under `root` when missing, and removes uploads a crash left behind in `tmp/`
    /// (older than `staleAfter` seconds, so uploads in progress in another process are left alone).
    public init(root: URL, staleAfter: TimeInterval = 24 * 3600) throws {
        self.root = root
        for folder in ["sha256", "tmp"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let tmp = root.appendingPathComponent("tmp")
        let cutoff = Date().addingTimeInterval(-staleAfter)
        // Content a collection moved aside and a crash left there goes back: it may have been about to be kept.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("gc-") {
            let sha256 = String(name.dropFirst(3))
            guard ArtifactFile.isSHA256(sha256) else { continue }
            let final = self.path(of: sha256)
            mkdir((final as NSString).deletingLastPathComponent, 0o755)
            rename(tmp.appendingPathComponent(name).path, final)
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? [] where name.hasPrefix("upload-") {
            let path = tmp.appendingPathComponent(name).path
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, modified < cutoff {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// Where content with this digest lives.
    func path(of sha256: String) -> String {
        self.root.appendingPathComponent("sha256").appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256).path
    }

    public func beginUpload() async throws -> any ContentUpload {
        let path = self.root.appendingPathComponent("tmp").appendingPathComponent("upload-\(SecureRandom.token())").path
        return try await NIOThreadPool.singleton.runIfActive { try LocalUpload(store: self, temporaryPath: path) }
    }

    public func size(of sha256: String) async throws -> Int64? {
        guard ArtifactFile.isSHA256(sha256) else { return nil }
        let path = self.path(of: sha256)
        return try await NIOThreadPool.singleton.runIfActive {
            var info = stat()
            return stat(path, &info) == 0 ? Int64(info.st_size) : nil
        }
    }

    public func objects() async throws -> [StoredObject] {
        let root = self.root.appendingPathComponent("sha256").path
        return try await NIOThreadPool.singleton.runIfActive {
            var objects: [StoredObject] = []
            for prefix in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where prefix.count == 2 {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + prefix)) ?? [] where ArtifactFile.isSHA256(name) {
                    var info = stat()
                    guard stat(root + "/" + prefix + "/" + name, &info) == 0 else { continue }
                    objects.append(
                        StoredObject(
                            sha256: name, size: Int64(info.st_size), storedAt: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))))
                }
            }
            return objects.sorted { $0.sha256 < $1.sha256 }
        }
    }

    public func remove(_ sha256: String, storedBefore cutoff: Date) async throws -> Bool {
        guard ArtifactFile.isSHA256(sha256) else { return false }
        let path = self.path(of: sha256)
        let trash = self.root.appendingPathComponent("tmp").appendingPathComponent("gc-\(sha256)").path
        return try await NIOThreadPool.singleton.runIfActive {
            // Moved aside first, then judged: an upload that renames the same content into place meanwhile either lands
            // after the move (and is not touched) or is what was moved (and is young, so it goes back).
            guard rename(path, trash) == 0 else {
                if errno == ENOENT { return false }
                throw ContentStoreError.io(operation: "rename aside", errno: errno)
            }
            var info = stat()
            if stat(trash, &info) == 0, Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)) >= cutoff {
                // Same bytes whatever is at `path` now, so putting it back over it is harmless.
                guard rename(trash, path) == 0 else { throw ContentStoreError.io(operation: "rename back", errno: errno) }
                return false
            }
            guard unlink(trash) == 0 else { throw ContentStoreError.io(operation: "unlink", errno: errno) }
            return true
        }
    }

    public func read(_ sha256: String, range: Range<Int64>, chunkSize: Int, into consume: ([UInt8]) async throws -> Void) async throws {
        guard ArtifactFile.isSHA256(sha256) else { throw ContentStoreError.missing(sha256: sha256) }
        let path = self.path(of: sha256)
        let fd = try await NIOThreadPool.singleton.runIfActive { () throws -> Int32 in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw errno == ENOENT ? ContentStoreError.missing(sha256: sha256) : ContentStoreError.io(operation: "open", errno: errno)
            }
            return fd
        }
        defer { close(fd) }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = Int(min(Int64(chunkSize), range.upperBound - offset))
            let at = offset
            let chunk = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
                var bytes = [UInt8](repeating: 0, count: count)
                let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(at)) }
                guard got >= 0 else { throw ContentStoreError.io(operation: "read", errno: errno) }
                // A file shorter than the database says was truncated behind our back.
                guard got > 0 else { throw ContentStoreError.missing(sha256: sha256) }
                bytes.removeLast(count - got)
                return bytes
            }
            offset += Int64(chunk.count)
            try await consume(chunk)
        }
    }
}

/// An upload into a `LocalContentStore`: a temporary file and a running digest.
///
/// `@unchecked Sendable` because it owns a file descriptor and a libcrypto context; that is safe because the
/// `ContentUpload` contract has one task make its calls one after another, and the lock below guards against misuse.
final class LocalUpload: ContentUpload, @unchecked Sendable {
    private let store: LocalContentStore
    private let temporaryPath: String
    private let lock = NSLock()
    private var fd: Int32
    private let hasher = SHA256.Hasher()
    private var written: Int64 = 0

    init(store: LocalContentStore, temporaryPath: String) throws {
        self.store = store
        self.temporaryPath = temporaryPath
        self.fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard self.fd >= 0 else { throw ContentStoreError.io(operation: "create upload file", errno: errno) }
    }

    deinit {
        // An upload dropped without commit or abort must not leave its file behind.
        if self.fd >= 0 {
            close(self.fd)
            unlink(self.temporaryPath)
        }
    }

    var size: Int64 { self.lock.withLock { self.written } }

    func write(_ bytes: [UInt8]) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            try self.lock.withLock {
                guard self.fd >= 0 else { throw ContentStoreError.io(operation: "write after commit", errno: EBADF) }
                try bytes.withUnsafeBytes { buffer in
                    self.hasher.update(buffer)
                    var done = 0
                    while done < buffer.count {
                        let n = Glibc.write(self.fd, buffer.baseAddress! + done, buffer.count - done)
                        if n < 0, errno == EINTR { continue }
                        guard n > 0 else { throw ContentStoreError.io(operation: "write", errno: errno) }
                        done += n
                    }
                }
                self.written += Int64(bytes.count)
            }
        }
    }

    func commit(expectedSHA256: String?) async throws -> StoredContent {
        try await NIOThreadPool.singleton.runIfActive {
            try self.lock.withLock {
                guard self.fd >= 0 else { throw ContentStoreError.io(operation: "commit twice", errno: EBADF) }
                defer { self.fd = -1 }
                let sha256 = self.hasher.finalizeHex()
                guard fsync(self.fd) == 0 else {
                    let error = errno
                    close(self.fd)
                    unlink(self.temporaryPath)
                    throw ContentStoreError.io(operation: "fsync", errno: error)
                }
                close(self.fd)
                if let expectedSHA256, expectedSHA256 != sha256 {
                    unlink(self.temporaryPath)
                    throw ContentStoreError.digestMismatch(expected: expectedSHA256, actual: sha256)
                }
                let final = self.store.path(of: sha256)
                let folder = (final as NSString).deletingLastPathComponent
                mkdir(folder, 0o755)
                // Renamed into place even when the same content is stored already: the result is the same bytes, and
                // the fresh timestamp keeps a collection from removing content an artifact is about to point at.
                guard rename(self.temporaryPath, final) == 0 else {
                    let error = errno
                    unlink(self.temporaryPath)
                    throw ContentStoreError.io(operation: "rename into the store", errno: error)
                }
                // The rename must itself be durable before the database row that points at the object commits.
                let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if directory >= 0 {
                    fsync(directory)
                    close(directory)
                }
                return StoredContent(sha256: sha256, size: self.written)
            }
        }
    }

    func abort() async {
        _ = try? await NIOThreadPool.singleton.runIfActive {
            self.lock.withLock {
                guard self.fd >= 0 else { return }
                close(self.fd)
                unlink(self.temporaryPath)
                self.fd = -1
            }
        }
    }
}
