import Database
public import Foundation
public import Store

/// Brings a run's checkpoint and datasets out of the content store, checking every byte against its SHA-256: a
/// checkpoint becomes a directory under the cache (named by the checkpoint's digest, built in a temporary folder and
/// renamed into place, so a half-copied checkpoint is never loaded), a dataset becomes bytes in memory.
public struct ArtifactCache: Sendable {
    let content: any ContentStore
    let root: URL

    /// A cache in `root` over `content`.
    public init(content: any ContentStore, root: URL) {
        self.content = content
        self.root = root
    }

    /// The directory holding the checkpoint's files, copied and verified on first use.
    func checkpointDirectory(digest: String, files: [RunQueue.FileReference]) async throws -> String {
        guard digest.wholeMatch(of: /[0-9a-f]{64}/) != nil else { throw RunnerError("the checkpoint has no files") }
        let final = root.appendingPathComponent("checkpoints/\(digest)")
        if FileManager.default.fileExists(atPath: final.path) { return final.path }
        let staging = root.appendingPathComponent("checkpoints/.staging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }
        for file in files {
            let target = staging.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target.path, contents: nil), let handle = FileHandle(forWritingAtPath: target.path) else {
                throw RunnerError("cannot write \(target.path)")
            }
            defer { try? handle.close() }
            let hasher = SHA256.Hasher()
            try await content.read(file.sha256, range: 0..<file.size, chunkSize: 1 << 20) { chunk in
                chunk.withUnsafeBytes { hasher.update($0) }
                try handle.write(contentsOf: chunk)
            }
            let actual = hasher.finalizeHex()
            guard actual == file.sha256 else { throw RunnerError("\(file.path): stored content has SHA-256 \(actual), not \(file.sha256)") }
        }
        do {
            try FileManager.default.moveItem(at: staging, to: final)
        } catch  where FileManager.default.fileExists(atPath: final.path) {
            // Another worker finished the same checkpoint first; its copy is as good as ours.
        }
        return final.path
    }

    /// A dataset file's bytes, verified.
    func bytes(of file: RunQueue.FileReference) async throws -> Data {
        guard file.size <= 512 << 20 else { throw RunnerError("\(file.path): \(file.size) bytes is too large for a dataset") }
        var data = Data(capacity: Int(file.size))
        let hasher = SHA256.Hasher()
        try await content.read(file.sha256, range: 0..<file.size, chunkSize: 1 << 20) { chunk in
            chunk.withUnsafeBytes { hasher.update($0) }
            data.append(contentsOf: chunk)
        }
        let actual = hasher.finalizeHex()
        guard actual == file.sha256 else { throw RunnerError("\(file.path): stored content has SHA-256 \(actual), not \(file.sha256)") }
        return data
    }
}
