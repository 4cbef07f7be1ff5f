public import Domain
public import Foundation

/// Registers a folder on disk as an artifact: every regular file uploaded to the content store under its relative
/// path, then (optionally) published — how checkpoints and datasets made elsewhere enter the consortium.
public struct ArtifactImporter: Sendable {
    let artifacts: ArtifactStore
    let content: any ContentStore

    /// An importer writing through `artifacts` into `content`.
    public init(artifacts: ArtifactStore, content: any ContentStore) {
        self.artifacts = artifacts
        self.content = content
    }

    /// Uploads the files under `directory` (or just `files`, relative to it) into a new draft `artifact`.
    /// - Throws: `StoreError.conflict` for a duplicate slug and version; file-system errors naming the file.
    public func importDirectory(_ directory: URL, files: [String]? = nil, as artifact: Artifact, publish: Bool, actor: Actor) async throws
        -> ArtifactStore.Listing
    {
        let paths = try files ?? Self.regularFiles(under: directory)
        guard !paths.isEmpty else { throw StoreError.conflict("\(directory.path) has no files to import") }
        var listing = try await artifacts.register(artifact, actor: actor)
        for path in paths {
            guard let handle = FileHandle(forReadingAtPath: directory.appendingPathComponent(path).path) else {
                throw StoreError.notFound("\(directory.appendingPathComponent(path).path) cannot be read")
            }
            defer { try? handle.close() }
            let upload = try await content.beginUpload()
            do {
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { try await upload.write(Array(chunk)) }
                let stored = try await upload.commit(expectedSHA256: nil)
                _ = try await artifacts.putFile(artifact.id, path: path, content: stored, mediaType: Self.mediaType(path), actor: actor)
            } catch {
                await upload.abort()
                throw error
            }
        }
        if publish { listing = try await artifacts.publish(artifact.id, precondition: nil, actor: actor) }
        return listing
    }

    /// Regular files under `directory`, as sorted relative paths (hidden files skipped).
    static func regularFiles(under directory: URL) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else {
            throw StoreError.notFound("\(directory.path) is not a readable folder")
        }
        var paths: [String] = []
        while let path = walker.nextObject() as? String {
            guard !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { paths.append(path) }
        }
        return paths.sorted()
    }

    static func mediaType(_ path: String) -> String {
        switch (path as NSString).pathExtension {
        case "json": "application/json"
        case "jsonl": "application/jsonl"
        case "md": "text/markdown"
        case "txt": "text/plain"
        default: "application/octet-stream"
        }
    }
}
