import Database
import DatabaseTestSupport
import Domain
import Foundation
import Store
import Testing

/// Collecting content no artifact file refers to: old unreferenced objects go, referenced and young ones stay, a
/// re-upload of the same bytes rescues an old object, and a collection a crash interrupted gives its object back.
@Suite struct ContentCollectorTests {
    private func put(_ store: LocalContentStore, _ bytes: [UInt8]) async throws -> StoredContent {
        let upload = try await store.beginUpload()
        try await upload.write(bytes)
        return try await upload.commit(expectedSHA256: nil)
    }

    private func age(_ root: URL, _ sha256: String, days: Double) throws {
        let path = root.appendingPathComponent("sha256/\(sha256.prefix(2))/\(sha256)").path
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-days * 86_400)], ofItemAtPath: path)
    }

    @Test func onlyOldUnreferencedContentIsRemoved() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("consortium-gc-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let content = try LocalContentStore(root: root)
            let store = Store(pool: pool)
            let group = try WorkingGroup(slug: try Slug("gc-tests"), name: "GC tests")
            try await store.workingGroups.create(group)
            let artifact = try Artifact(workingGroupID: group.id, kind: .dataset, slug: "kept", title: "kept")
            _ = try await store.artifacts.register(artifact, actor: Actor(name: "t"))
            let referenced = try await put(content, [1, 1, 1])
            _ = try await store.artifacts.putFile(
                artifact.id, path: "a.bin", content: referenced, mediaType: "application/octet-stream", actor: Actor(name: "t"))
            let orphan = try await put(content, [2, 2])
            let young = try await put(content, [3])
            let rescued = try await put(content, [4, 4, 4, 4])
            for sha in [referenced.sha256, orphan.sha256, rescued.sha256] { try age(root, sha, days: 3) }
            // The same bytes uploaded again (say, for a new draft whose row is not committed yet) make the object young.
            _ = try await put(content, [4, 4, 4, 4])

            let collector = ContentCollector(pool: pool, content: content)
            let preview = try await collector.collect(dryRun: true)
            #expect(preview.unreferenced.map(\.sha256) == [orphan.sha256] && preview.bytes == 2)
            #expect(try await content.size(of: orphan.sha256) == 2, "a dry run removes nothing")
            let report = try await collector.collect(dryRun: false)
            #expect(report.unreferenced.map(\.sha256) == [orphan.sha256] && report.kept == 3)
            #expect(try await content.size(of: orphan.sha256) == nil)
            for kept in [referenced, young, rescued] { #expect(try await content.size(of: kept.sha256) == kept.size) }
            #expect(try await collector.collect(dryRun: false).unreferenced.isEmpty)
        }
    }

    @Test func anInterruptedCollectionGivesItsObjectBack() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("consortium-gc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let content = try LocalContentStore(root: root)
        let stored = try await put(content, [9, 9, 9])
        let path = root.appendingPathComponent("sha256/\(stored.sha256.prefix(2))/\(stored.sha256)").path
        // A crash right after the object was moved aside.
        try FileManager.default.moveItem(atPath: path, toPath: root.appendingPathComponent("tmp/gc-\(stored.sha256)").path)
        #expect(try await content.size(of: stored.sha256) == nil)
        let reopened = try LocalContentStore(root: root)
        #expect(try await reopened.size(of: stored.sha256) == 3)
    }
}
