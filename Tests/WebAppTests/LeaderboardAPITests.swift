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

/// Results across a group's checkpoint series: the run view with progress, outcomes and reproducibility, the
/// leaderboard, a metric's history with regression flags, and the thresholds chairs set.
@Suite struct LeaderboardAPITests {
    typealias F = ArtifactFixture

    @Test func leaderboardHistoryAndRegressionFlags() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            _ = try await f.evaluationSetUp()
            let first = try await f.draft(slug: "series", file: [1], publish: true)
            let run = try await f.finishedRun(checkpoint: first, acc: 0.8)
            try await Task.sleep(for: .milliseconds(20))
            let secondArtifact = try Artifact(workingGroupID: f.group.id, kind: .checkpoint, slug: "series", version: "2", title: "step 2")
            _ = try await f.store.artifacts.register(secondArtifact, actor: Actor(name: "t"))
            let content = try LocalContentStore(root: f.contentRoot)
            let upload = try await content.beginUpload()
            try await upload.write([2])
            _ = try await f.store.artifacts.putFile(
                secondArtifact.id, path: "config.json", content: try await upload.commit(expectedSHA256: nil), mediaType: "application/json",
                actor: Actor(name: "t"))
            _ = try await f.store.artifacts.publish(secondArtifact.id, precondition: nil, actor: Actor(name: "t"))
            _ = try await f.finishedRun(checkpoint: secondArtifact.id, acc: 0.6)
            let slug = f.group.slug.rawValue
            try await f.app().test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/runs/\(run)", method: .get) { response async throws in
                    let r = try F.json(response.body)
                    #expect(r["status"] as? String == "succeeded")
                    #expect(r["charged_cpu_hours"] as? Double == 0.01)
                    #expect((r["reproducibility"] as? [String: Any])?["seed"] as? Int == 0)
                    let tasks = try #require(r["tasks"] as? [[String: Any]])
                    #expect(tasks.first?["task"] as? String == "demo-perplexity")
                    #expect((tasks.first?["details"] as? [String: Any])?["correct"] as? Int == 80)
                    #expect(((tasks.first?["reproducibility"] as? [String: Any])?["dataset"] as? [String: Any])?["sha256"] as? String == "ab")
                }
                try await client.execute(uri: "/api/v1/working-groups/\(slug)/leaderboard", method: .get) { response async throws in
                    let items = try #require(try F.json(response.body)["items"] as? [[String: Any]])
                    #expect(items.map { $0["checkpoint"] as? String } == ["series@1", "series@2"])
                    #expect(items.map { $0["value"] as? Double } == [0.8, 0.6])
                }
                let history = "/api/v1/working-groups/\(slug)/metric-history?task=demo-perplexity&metric=acc"
                try await client.execute(uri: history, method: .get) { response async throws in
                    let h = try F.json(response.body)
                    #expect(h["direction"] as? String == "higher_is_better")
                    let points = try #require(h["points"] as? [[String: Any]])
                    #expect(points.map { $0["regression"] as? Bool } == [false, false], "no threshold, no flag")
                    #expect(abs((points[1]["change"] as? Double ?? 0) + 0.2) < 1e-12)
                }
                let threshold = "/api/v1/working-groups/\(slug)/regression-thresholds/demo-perplexity/acc"
                for (role, status) in [(F.Role.anonymous, HTTPResponse.Status.unauthorized), (.member, .forbidden), (.chair, .ok)] {
                    try await client.execute(uri: threshold, method: .put, headers: f.headers(role), body: try F.body(["threshold": 0.1])) {
                        #expect($0.status == status, "\(role)")
                    }
                }
                try await client.execute(uri: threshold, method: .put, headers: f.headers(.chair), body: try F.body(["threshold": -1])) {
                    #expect($0.status == .unprocessableContent)
                }
                try await client.execute(
                    uri: "/api/v1/working-groups/\(slug)/regression-thresholds/no-such-task/acc", method: .put, headers: f.headers(.chair),
                    body: try F.body(["threshold": 0.1])
                ) { #expect($0.status == .notFound) }
                try await client.execute(uri: history, method: .get) { response async throws in
                    let points = try #require(try F.json(response.body)["points"] as? [[String: Any]])
                    #expect(points.map { $0["regression"] as? Bool } == [false, true], "0.8 → 0.6 drops more than 0.1")
                }
                try await client.execute(uri: threshold, method: .put, headers: f.headers(.admin), body: try F.body(["threshold": 0.25])) {
                    #expect($0.status == .ok)
                }
                try await client.execute(uri: history, method: .get) { response async throws in
                    let points = try #require(try F.json(response.body)["points"] as? [[String: Any]])
                    #expect(points.map { $0["regression"] as? Bool } == [false, false])
                }
                try await client.execute(uri: "/api/v1/working-groups/\(slug)/regression-thresholds", method: .get) { response async throws in
                    #expect((try F.json(response.body)["items"] as? [[String: Any]])?.first?["threshold"] as? Double == 0.25)
                }
                try await client.execute(uri: threshold, method: .delete, headers: f.headers(.chair)) { #expect($0.status == .noContent) }
                try await client.execute(uri: "/api/v1/working-groups/\(slug)/metric-history?task=demo-perplexity", method: .get) {
                    #expect($0.status == .unprocessableContent)
                }
                try await client.execute(uri: "/api/v1/working-groups/no-such-group/leaderboard", method: .get) { #expect($0.status == .notFound) }
                // Run filters: by task and by queue time.
                try await client.execute(uri: "/api/v1/runs?task=demo-perplexity&queued_since=2000-01-01", method: .get) { response async throws in
                    #expect((try F.json(response.body)["items"] as? [[String: Any]])?.count == 2)
                }
                try await client.execute(uri: "/api/v1/runs?task=other", method: .get) { response async throws in
                    #expect((try F.json(response.body)["items"] as? [[String: Any]])?.isEmpty == true)
                }
                try await client.execute(uri: "/api/v1/runs?queued_before=yesterday", method: .get) { #expect($0.status == .unprocessableContent) }
            }
        }
    }
}
