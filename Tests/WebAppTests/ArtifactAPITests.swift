import Database
import DatabaseTestSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import WebApp

@Suite struct ArtifactAPITests {
    typealias F = ArtifactFixture

    @Test func registerUploadPublishAndDownloadOverARealServer() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let config = Array(#"{"architectures": ["BertModel"], "hidden_size": 32}"#.utf8)
            let weights = (0..<(1 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let id = try await f.app().test(.live) { client async throws in
                let register = try F.body([
                    "working_group": f.group.slug.rawValue, "kind": "checkpoint", "slug": "tiny-bert", "version": "0.1",
                    "title": "Tiny BERT", "license": "Apache-2.0", "metadata": ["architecture": "bert"],
                ])
                let id = try await client.execute(uri: "/api/v1/artifacts", method: .post, headers: f.headers(.creator), body: register) {
                    response async throws in
                    #expect(response.status == .created)
                    let artifact = try F.json(response.body)
                    #expect(artifact["status"] as? String == "draft")
                    #expect(artifact["working_group"] as? String == f.group.slug.rawValue)
                    #expect(response.headers[.location] == "/api/v1/artifacts/\(artifact["id"] as? String ?? "")")
                    return try #require(artifact["id"] as? String)
                }
                // A draft is invisible to anyone outside the group.
                try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .get) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .get, headers: f.headers(.outsider)) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .get, headers: f.headers(.reader)) { #expect($0.status == .ok) }

                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/config.json", method: .put,
                    headers: f.headers(.creator, [HTTPField.Name("Content-Digest")!: F.contentDigest(config)]), body: ByteBuffer(bytes: config)
                ) { response async throws in
                    #expect(response.status == .created)
                    #expect(response.headers[.eTag] == "\"\(F.sha256(config))\"")
                    let file = try F.json(response.body)
                    #expect(file["sha256"] as? String == F.sha256(config))
                    #expect(file["size_bytes"] as? Int == config.count)
                    #expect(file["media_type"] as? String == "application/json")
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/weights/model.safetensors", method: .put,
                    headers: f.headers(.creator, [HTTPField.Name("Content-Digest")!: "sha-512=:AAAA:, md5=:BBBB:"]),
                    body: ByteBuffer(bytes: weights)
                ) { response async throws in
                    // Only digests of algorithms the server does not check were announced (RFC 9530 lets it ignore them).
                    #expect(response.status == .created)
                    #expect(try F.json(response.body)["sha256"] as? String == F.sha256(weights))
                }
                // Replacing a draft's file answers 200, not 201.
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/config.json", method: .put, headers: f.headers(.creator), body: ByteBuffer(bytes: config)
                ) { #expect($0.status == .ok) }
                #expect(f.storedObjects().count == 2)
                #expect(f.temporaryUploads().isEmpty)

                try await client.execute(uri: "/api/v1/artifacts/\(id)/publish", method: .post, headers: f.headers(.creator)) {
                    response async throws in
                    #expect(response.status == .ok)
                    let artifact = try F.json(response.body)
                    #expect(artifact["status"] as? String == "published")
                    #expect(artifact["file_count"] as? Int == 2)
                    #expect(artifact["total_bytes"] as? Int == config.count + weights.count)
                    #expect((artifact["files"] as? [[String: Any]])?.map { $0["path"] as? String } == ["config.json", "weights/model.safetensors"])
                }
                // Published: anyone reads it, nobody changes it.
                let url = "/api/v1/artifacts/\(id)/files/weights/model.safetensors"
                let etag = try await client.execute(uri: url, method: .get) { response async throws in
                    #expect(response.status == .ok)
                    #expect(Array(response.body.readableBytesView) == weights)
                    #expect(response.headers[.eTag] == "\"\(F.sha256(weights))\"")
                    #expect(response.headers[.acceptRanges] == "bytes")
                    #expect(response.headers[.contentDisposition] == "attachment; filename=\"model.safetensors\"")
                    return try #require(response.headers[.eTag])
                }
                try await client.execute(uri: url, method: .head) { response async throws in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentLength] == String(weights.count))
                    #expect(response.headers[.eTag] == etag)
                    #expect(response.body.readableBytes == 0)
                }
                try await client.execute(uri: url, method: .get, headers: [.ifNoneMatch: etag]) { #expect($0.status == .notModified) }
                try await client.execute(uri: url, method: .get, headers: [.range: "bytes=1000-1099"]) { response async throws in
                    #expect(response.status == .partialContent)
                    #expect(response.headers[.contentRange] == "bytes 1000-1099/\(weights.count)")
                    #expect(Array(response.body.readableBytesView) == Array(weights[1000..<1100]))
                }
                try await client.execute(uri: url, method: .get, headers: [.range: "bytes=-7"]) { response async throws in
                    #expect(response.status == .partialContent)
                    #expect(Array(response.body.readableBytesView) == Array(weights.suffix(7)))
                }
                try await client.execute(uri: url, method: .get, headers: [.range: "bytes=\(weights.count)-"]) { response async throws in
                    #expect(response.status == .rangeNotSatisfiable)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                // A range that runs backwards is not a range (RFC 9110 says ignore it): the whole file.
                try await client.execute(uri: url, method: .get, headers: [.range: "bytes=500-100"]) { response async throws in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes == weights.count)
                }
                // If-Range with a stale validator: the whole file, not a part of something else.
                try await client.execute(uri: url, method: .get, headers: [.range: "bytes=0-9", .ifRange: "\"stale\""]) { response async throws in
                    #expect(response.status == .ok)
                    #expect(response.body.readableBytes == weights.count)
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/config.json", method: .put, headers: f.headers(.creator), body: ByteBuffer(bytes: [1])
                ) { #expect($0.status == .conflict) }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)", method: .patch, headers: f.headers(.chair), body: try F.body(["title": "Renamed"])
                ) { #expect($0.status == .conflict) }
                try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .delete, headers: f.headers(.admin)) {
                    #expect($0.status == .conflict)
                }
                try await client.execute(
                    uri: "/api/v1/artifacts?working_group=\(f.group.slug.rawValue)&kind=checkpoint", method: .get
                ) { response async throws in
                    let items = try F.json(response.body)["items"] as? [[String: Any]] ?? []
                    #expect(items.contains { $0["id"] as? String == id })
                    #expect(items.allSatisfy { $0["kind"] as? String == "checkpoint" && $0["files"] == nil })
                }
                try await client.execute(uri: "/api/v1/artifacts?kind=weights", method: .get) { #expect($0.status == .unprocessableContent) }
                // Withdrawn: still downloadable (past results stay reproducible), marked as withdrawn.
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/withdraw", method: .post, headers: f.headers(.chair),
                    body: try F.body(["reason": "trained on a leaked test set"])
                ) { response async throws in
                    #expect(response.status == .ok)
                    #expect(try F.json(response.body)["status"] as? String == "withdrawn")
                }
                try await client.execute(uri: url, method: .get) { #expect($0.status == .ok) }
                return id
            }
            // Every write went to the audit log, oldest first here.
            let actions = try await f.store.audit.entries(entityType: "artifact", entityID: id).map(\.action).reversed()
            #expect(
                Array(actions) == [
                    "artifact.register", "artifact_file.put", "artifact_file.put", "artifact_file.put", "artifact.publish", "artifact.withdraw",
                ])
        }
    }

    @Test func badUploadsAreRefusedAndLeaveNothingBehind() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let id = try await f.draft(slug: "bad-uploads")
            let bytes = Array("hello, consortium".utf8)
            try await f.app(maxUploadBytes: 4096).test(.live) { client async throws in
                // Announced digest that the content does not have: 400, nothing stored.
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/data.txt", method: .put,
                    headers: f.headers(.creator, [HTTPField.Name("Content-Digest")!: F.contentDigest(Array("other".utf8))]),
                    body: ByteBuffer(bytes: bytes)
                ) { response async throws in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("digest-mismatch"))
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/data.txt", method: .put,
                    headers: f.headers(.creator, [HTTPField.Name("Content-Digest")!: "sha-256=:not base64:"]), body: ByteBuffer(bytes: bytes)
                ) { #expect($0.status == .unprocessableContent) }
                // Over the upload limit: 413, nothing stored.
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/big.bin", method: .put, headers: f.headers(.creator),
                    body: ByteBuffer(bytes: [UInt8](repeating: 7, count: 5000))
                ) { response async throws in
                    #expect(response.status == .contentTooLarge)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                // Names that could escape the artifact or confuse a file system.
                for name in ["../escape", "a/../../b", "%2e%2e/escape", "a/%2E%2E/b", "a//b", "%2Fabs", "ctl%01name", "back%5Cslash", "bad%ff"] {
                    try await client.execute(
                        uri: "/api/v1/artifacts/\(id)/files/\(name)", method: .put, headers: f.headers(.creator), body: ByteBuffer(bytes: bytes)
                    ) { response async throws in
                        // A client or proxy may normalise dot segments away before we see them; then the name is harmless.
                        #expect([.unprocessableContent, .notFound].contains(response.status), "\(name): \(response.status)")
                    }
                }
            }
            #expect(try await f.store.artifacts.files(of: id).isEmpty)
            #expect(f.storedObjects().isEmpty)
            #expect(f.temporaryUploads().isEmpty)
        }
    }

    @Test func pathNamesAreCheckedAfterDecodingOnTheRouter() async throws {
        // The router-level client sends the target exactly as written, so traversal reaches the handler unnormalised.
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let id = try await f.draft(slug: "names")
            try await f.app().test(.router) { client async throws in
                for name in ["../escape", "a/../b", "%2e%2e/escape", "a//b", "%2Fabs", "ctl%01name", "back%5Cslash", "bad%ff"] {
                    try await client.execute(
                        uri: "/api/v1/artifacts/\(id)/files/\(name)", method: .put, headers: f.headers(.creator), body: ByteBuffer(bytes: [1, 2, 3])
                    ) { response async throws in
                        #expect(response.status == .unprocessableContent, "\(name)")
                        #expect(String(buffer: response.body).contains("\"field\":\"path\""), "\(name)")
                    }
                }
                // Unicode and spaces are fine, percent-encoded or not.
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/donn%C3%A9es/r%C3%A9sum%C3%A9%20fr.txt", method: .put, headers: f.headers(.creator),
                    body: ByteBuffer(bytes: [1, 2, 3])
                ) { #expect($0.status == .created) }
            }
            #expect(try await f.store.artifacts.files(of: id).map(\.path) == ["données/résumé fr.txt"])
        }
    }
}
