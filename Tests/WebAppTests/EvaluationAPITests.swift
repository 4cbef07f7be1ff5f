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

@Suite struct EvaluationAPITests {
    typealias F = ArtifactFixture

    @Test func chairsScheduleEvaluationsOfPublishedCheckpoints() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let (suite, _) = try await f.evaluationSetUp()
            let checkpoint = try await f.draft(slug: "scheduled", file: [1], publish: true)
            let draft = try await f.draft(slug: "unpublished", file: [2])
            let slug = f.group.slug.rawValue
            try await f.app().test(.router) { client async throws in
                func create(_ role: F.Role, cron: String, checkpoint: Identifier<Artifact>) -> (ByteBuffer, HTTPFields) {
                    let body = try! F.body(["working_group": slug, "checkpoint": checkpoint.description, "suite": suite, "cron": cron])
                    return (body, f.headers(role))
                }
                try await client.execute(uri: "/api/v1/evaluation-suites", method: .get) { response async throws in
                    let suites = try F.json(response.body)["items"] as? [[String: Any]] ?? []
                    #expect(suites.first { $0["slug"] as? String == suite }?["tasks"] as? [String] == ["demo-perplexity"])
                }
                let (body, chair) = create(.chair, cron: "0 3 * * *", checkpoint: checkpoint)
                try await client.execute(uri: "/api/v1/schedules", method: .post, headers: f.headers(.member), body: body) {
                    #expect($0.status == .forbidden)
                }
                let id = try await client.execute(uri: "/api/v1/schedules", method: .post, headers: chair, body: body) { response async throws in
                    #expect(response.status == .created)
                    let s = try F.json(response.body)
                    #expect(s["cron"] as? String == "0 3 * * *")
                    let next = try #require(ISO8601DateFormatter().date(from: s["next_due_at"] as? String ?? ""))
                    #expect(next > Date() && next <= Date().addingTimeInterval(86_400))
                    #expect(Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: next).hour == 3)
                    return try #require(s["id"] as? String)
                }
                try await client.execute(uri: "/api/v1/schedules", method: .post, headers: chair, body: body) { #expect($0.status == .conflict) }
                let (badCron, _) = create(.chair, cron: "0 25 * * *", checkpoint: checkpoint)
                try await client.execute(uri: "/api/v1/schedules", method: .post, headers: chair, body: badCron) { response async throws in
                    #expect(response.status == .unprocessableContent)
                    #expect(String(buffer: response.body).contains("\"field\":\"cron\""))
                }
                let (onDraft, _) = create(.chair, cron: "@daily", checkpoint: draft)
                try await client.execute(uri: "/api/v1/schedules", method: .post, headers: chair, body: onDraft) { #expect($0.status == .conflict) }

                let etag = try await client.execute(uri: "/api/v1/schedules/\(id)", method: .get) { try #require($0.headers[.eTag]) }
                try await client.execute(
                    uri: "/api/v1/schedules/\(id)", method: .patch, headers: f.headers(.chair, [.ifMatch: etag]), body: try F.body(["enabled": false])
                ) { response async throws in
                    #expect(response.status == .ok)
                    let s = try F.json(response.body)
                    #expect(s["enabled"] as? Bool == false)
                    #expect(s["next_due_at"] == nil)  // paused: never due
                }
                try await client.execute(
                    uri: "/api/v1/schedules/\(id)", method: .patch, headers: f.headers(.admin, [.ifMatch: etag]),
                    body: try F.body(["cron": "@hourly"])
                ) { #expect($0.status == .preconditionFailed) }
                try await client.execute(uri: "/api/v1/schedules?working_group=\(slug)", method: .get) { response async throws in
                    #expect((try F.json(response.body)["items"] as? [[String: Any]])?.count == 1)
                }
                try await client.execute(uri: "/api/v1/schedules/\(id)", method: .delete, headers: f.headers(.chair)) {
                    #expect($0.status == .noContent)
                }
                try await client.execute(uri: "/api/v1/schedules/\(id)", method: .get) { #expect($0.status == .notFound) }
            }
        }
    }

    @Test func schedulesMayFollowTheNewestCheckpointAndFireOnPublication() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let (suite, _) = try await f.evaluationSetUp()
            let fixed = try await f.draft(slug: "fixed", file: [1], publish: true)
            let slug = f.group.slug.rawValue
            try await f.app().test(.router) { client async throws in
                func post(_ body: [String: Any]) async throws -> (HTTPResponse.Status, [String: Any]) {
                    try await client.execute(uri: "/api/v1/schedules", method: .post, headers: f.headers(.chair), body: try F.body(body)) {
                        ($0.status, (try? F.json($0.body)) ?? [:])
                    }
                }
                let (status, onPublish) = try await post(["working_group": slug, "checkpoint": "newest", "suite": suite])
                #expect(status == .created)
                #expect(onPublish["trigger"] as? String == "new_checkpoint" && onPublish["checkpoint"] as? String == "newest")
                #expect(onPublish["checkpoint_id"] == nil && onPublish["cron"] == nil, "absent, as every empty field")
                let (hourly, following) = try await post(["working_group": slug, "checkpoint": "newest", "suite": suite, "cron": "@hourly"])
                #expect(hourly == .created && following["trigger"] as? String == "cron" && following["next_due_at"] is String)
                let (refused, problem) = try await post(["working_group": slug, "checkpoint": fixed.description, "suite": suite])
                #expect(refused == .unprocessableContent && problem["detail"] as? String != nil)
                // Publishing a checkpoint now queues it for the on-publication schedule.
                _ = try await f.draft(slug: "fresh", file: [9], publish: true)
                try await client.execute(uri: "/api/v1/runs?working_group=\(slug)", method: .get) { response async throws in
                    let runs = try #require(try F.json(response.body)["items"] as? [[String: Any]])
                    #expect(runs.filter { $0["schedule_id"] as? String == onPublish["id"] as? String }.count == 1)
                }
            }
        }
    }

    @Test func runsReserveTheGroupsCPUHoursWithoutOverbooking() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let (suite, allocation) = try await f.evaluationSetUp()
            let checkpoint = try await f.draft(slug: "evaluated", file: [3], publish: true)
            let slug = f.group.slug.rawValue
            @Sendable func queue(_ role: F.Role, reserve: Decimal) throws -> (ByteBuffer, HTTPFields) {
                let body = try F.body([
                    "working_group": slug, "checkpoint": checkpoint.description, "suite": suite,
                    "reserve_cpu_hours": NSDecimalNumber(decimal: reserve).doubleValue,
                ])
                return (body, f.headers(role))
            }
            try await f.app().test(.router) { client async throws in
                for role in [F.Role.anonymous, .observer, .outsider, .reader] {
                    let (body, headers) = try queue(role, reserve: 1)
                    try await client.execute(uri: "/api/v1/runs", method: .post, headers: headers, body: body) { response async throws in
                        #expect(response.status == (role == .anonymous ? .unauthorized : .forbidden), "\(role)")
                    }
                }
                for bad in [Decimal(0), -5, 10_000_000_000] {
                    let (body, headers) = try queue(.member, reserve: bad)
                    try await client.execute(uri: "/api/v1/runs", method: .post, headers: headers, body: body) { response async throws in
                        #expect(response.status == .unprocessableContent, "\(bad)")
                    }
                }
                let (one, member) = try queue(.member, reserve: 1)
                let id = try await client.execute(uri: "/api/v1/runs", method: .post, headers: member, body: one) { response async throws in
                    #expect(response.status == .created)
                    let run = try F.json(response.body)
                    #expect(run["status"] as? String == "queued")
                    #expect(run["allocation_id"] as? String == allocation.allocation.id.description)
                    #expect(run["reserved_cpu_hours"] as? Double == 1)
                    return try #require(run["id"] as? String)
                }
                // Two requests race for more than half of what is left: exactly one gets it.
                let available = try await f.store.allocations.find(allocation.allocation.id).available
                let half = Decimal(Int(NSDecimalNumber(decimal: available).doubleValue / 2) + 1)
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<2 {
                        let (body, headers) = try queue(.chair, reserve: half)
                        group.addTask { try await client.execute(uri: "/api/v1/runs", method: .post, headers: headers, body: body) { $0.status } }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.sorted { $0.code < $1.code } == [.created, .conflict])
                let after = try await f.store.allocations.find(allocation.allocation.id)
                #expect(after.committed == allocation.committed + 1 + half)
                #expect(after.available >= 0)

                // Results of a finished run are part of its record.
                _ = try await pool.withConnection { connection in
                    try connection.query(
                        """
                        INSERT INTO results (run_id, task_id, metric, value, stderr, samples)
                        SELECT \(id)::uuid, id, 'perplexity', 12.5, 0.25, 40 FROM evaluation_tasks WHERE slug = 'demo-perplexity'
                        """)
                }
                try await client.execute(uri: "/api/v1/runs/\(id)", method: .get) { response async throws in
                    let results = try F.json(response.body)["results"] as? [[String: Any]] ?? []
                    #expect(results.count == 1)
                    #expect(results.first?["task"] as? String == "demo-perplexity")
                    #expect(results.first?["value"] as? Double == 12.5)
                    #expect(results.first?["stderr"] as? Double == 0.25)
                }
                try await client.execute(uri: "/api/v1/runs?working_group=\(slug)&status=queued", method: .get) { response async throws in
                    #expect((try F.json(response.body)["items"] as? [[String: Any]])?.count == 2)
                }
                try await client.execute(uri: "/api/v1/runs?status=finished", method: .get) { #expect($0.status == .unprocessableContent) }
                // Whoever queued it may cancel it; cancelling releases the reservation; a finished run stays as it is.
                try await client.execute(
                    uri: "/api/v1/runs/\(id)/cancel", method: .post, headers: f.headers(.creator), body: try F.body(["reason": "not mine"])
                ) { #expect($0.status == .forbidden) }
                try await client.execute(
                    uri: "/api/v1/runs/\(id)/cancel", method: .post, headers: member, body: try F.body(["reason": "wrong suite"])
                ) { response async throws in
                    #expect(response.status == .ok)
                    #expect(try F.json(response.body)["status"] as? String == "cancelled")
                }
                try await client.execute(
                    uri: "/api/v1/runs/\(id)/cancel", method: .post, headers: member, body: try F.body(["reason": "again"])
                ) { #expect($0.status == .conflict) }
                #expect(try await f.store.allocations.find(allocation.allocation.id).committed == allocation.committed + half)
            }
        }
    }
}
