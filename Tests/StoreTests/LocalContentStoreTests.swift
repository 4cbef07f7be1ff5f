import Database
import Foundation
import Store
import Testing

@Suite struct LocalContentStoreTests {
    private func withStore(_ body: (URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("content-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(root)
    }

    private func put(_ store: LocalContentStore, _ bytes: [UInt8], expecting: String? = nil) async throws -> StoredContent {
        let upload = try await store.beginUpload()
        for chunk in stride(from: 0, to: bytes.count, by: 1000) { try await upload.write(Array(bytes[chunk..<min(chunk + 1000, bytes.count)])) }
        return try await upload.commit(expectedSHA256: expecting)
    }

    @Test func contentIsStoredOnceUnderItsDigestAndReadBackByRange() async throws {
        try await withStore { root in
            let store = try LocalContentStore(root: root)
            let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }
            let first = try await put(store, bytes)
            let second = try await put(store, bytes)
            #expect(first == second)
            #expect(first.sha256 == SHA256.hex(of: Data(bytes)))
            #expect(first.size == 5000)
            #expect(try await store.size(of: first.sha256) == 5000)
            var read: [UInt8] = []
            try await store.read(first.sha256, range: 100..<4321, chunkSize: 512) { read += $0 }
            #expect(read == Array(bytes[100..<4321]))
            let objects = try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("sha256").path).filter { $0.contains("/") }
            #expect(objects == ["\(first.sha256.prefix(2))/\(first.sha256)"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path).isEmpty)
        }
    }

    @Test func aWrongDigestStoresNothing() async throws {
        try await withStore { root in
            let store = try LocalContentStore(root: root)
            await #expect(throws: ContentStoreError.self) { _ = try await put(store, [1, 2, 3], expecting: String(repeating: "0", count: 64)) }
            #expect(try FileManager.default.subpathsOfDirectory(atPath: root.appendingPathComponent("sha256").path).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path).isEmpty)
            await #expect(throws: ContentStoreError.self) {
                try await store.read(String(repeating: "a", count: 64), range: 0..<1, chunkSize: 1) { _ in }
            }
        }
    }

    @Test func uploadsACrashLeftBehindAreRemovedWhenTheStoreOpens() async throws {
        try await withStore { root in
            _ = try LocalContentStore(root: root)
            let tmp = root.appendingPathComponent("tmp")
            let old = tmp.appendingPathComponent("upload-old").path
            let fresh = tmp.appendingPathComponent("upload-fresh").path
            #expect(FileManager.default.createFile(atPath: old, contents: Data([1])))
            #expect(FileManager.default.createFile(atPath: fresh, contents: Data([2])))
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3 * 86_400)], ofItemAtPath: old)
            _ = try LocalContentStore(root: root)
            #expect(!FileManager.default.fileExists(atPath: old))
            #expect(FileManager.default.fileExists(atPath: fresh))  // possibly another process's upload in progress
        }
    }
}
