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

/// Every kind of caller against the write endpoints of memberships, schedules, runs and allocations (artifacts have
/// their own matrix in `ArtifactRulesTests`): allowed callers succeed, others get 403, anonymous callers 401, and a
/// refused write changes nothing.
@Suite struct WriteMatrixTests {
    typealias F = ArtifactFixture
    typealias Role = ArtifactFixture.Role

    @Test func everyRoleAgainstMembershipScheduleRunAndAllocationWrites() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let slug = f.group.slug.rawValue
            let task = try EvaluationTask(slug: "matrix-task", name: "Matrix", kind: .perplexity, metrics: ["perplexity"])
            try await f.store.evaluations.create(task)
            try await f.store.evaluations.create(try EvaluationSuite(slug: "matrix", name: "Matrix", taskIDs: [task.id]))
            let suite = try #require(try await f.store.evaluations.suite(slug: "matrix"))
            let checkpoint = try await f.draft(slug: "matrix-checkpoint", file: [7], publish: true)
            let cpu = try #require(try await f.store.directory.resources().first { $0.unit == .cpuHours })
            if try await f.store.allocations.list(.init(group: slug, activeOn: Date())).first(where: { $0.resource.unit == .cpuHours }) == nil {
                _ = try await f.store.allocations.grant(
                    group: slug, resource: cpu.slug.rawValue, amount: 1000,
                    period: try DatePeriod(start: Date().addingTimeInterval(-86_400), end: Date().addingTimeInterval(30 * 86_400)),
                    justification: "matrix", slurmAccount: nil, actor: Actor(name: "test"))
            }
            // Another group's allocation for the administrators' endpoints, so revoking it leaves this group's runs alone.
            let other = try #require(try await f.store.allocations.list(.init()).first { $0.groupSlug != slug && $0.allocation.status == .active })
            // People outside the group, one per membership write, so every attempt has a fresh subject.
            let strangers = try await f.store.directory.members(after: nil, group: nil, limit: 200)
                .filter { $0.roles[slug] == nil && !$0.member.isAdmin }.map(\.member)
            #expect(strangers.count >= 3 * Role.allCases.count)
            let creator = try #require(f.members[.creator])
            let creatorActor = Actor(name: creator.email.rawValue, memberID: creator.id)
            let past = Date().addingTimeInterval(-10 * 86_400)

            let chairs: Set<Role> = [.chair, .admin]
            let runners: Set<Role> = [.member, .creator, .chair, .admin]
            let cancellers: Set<Role> = [.creator, .chair, .admin]
            let admins: Set<Role> = [.admin]

            try await f.app().test(.router) { client async throws in
                for (index, role) in Role.allCases.enumerated() {
                    func check(_ response: TestResponse, _ allowed: Set<Role>, _ what: String) {
                        let expected: [HTTPResponse.Status] =
                            allowed.contains(role) ? [.ok, .created, .noContent] : role == .anonymous ? [.unauthorized] : [.forbidden]
                        #expect(expected.contains(response.status), "\(role) \(what): \(response.status)")
                    }
                    let headers = f.headers(role)

                    // Memberships.
                    let newcomer = strangers[3 * index]
                    try await client.execute(
                        uri: "/api/v1/memberships", method: .post, headers: headers,
                        body: try F.body(["working_group": slug, "member": newcomer.id.description, "role": "member"])
                    ) { check($0, chairs, "add membership") }
                    let promote = try await f.store.memberships.add(
                        member: strangers[3 * index + 1].id, group: f.group.id, role: .member, startedOn: past, actor: creatorActor)
                    try await client.execute(
                        uri: "/api/v1/memberships/\(promote.membership.id)", method: .patch, headers: headers, body: try F.body(["role": "observer"])
                    ) { check($0, chairs, "change role") }
                    let remove = try await f.store.memberships.add(
                        member: strangers[3 * index + 2].id, group: f.group.id, role: .member, startedOn: past, actor: creatorActor)
                    try await client.execute(uri: "/api/v1/memberships/\(remove.membership.id)", method: .delete, headers: headers) {
                        check($0, chairs, "end membership")
                    }
                    #expect((try await f.store.memberships.find(promote.membership.id)?.membership.period.end != nil) == chairs.contains(role))

                    // Schedules.
                    try await client.execute(
                        uri: "/api/v1/schedules", method: .post, headers: headers,
                        body: try F.body(["working_group": slug, "checkpoint": checkpoint.description, "suite": "matrix", "cron": "\(index) 1 * * *"])
                    ) { check($0, chairs, "create schedule") }
                    let schedule = try await f.store.schedules.create(
                        group: f.group.id, checkpoint: checkpoint, suite: suite.id, cron: try CronExpression("\(index) 2 * * *"), enabled: true,
                        actor: creatorActor)
                    try await client.execute(
                        uri: "/api/v1/schedules/\(schedule.schedule.id)", method: .patch, headers: headers, body: try F.body(["enabled": false])
                    ) { check($0, chairs, "pause schedule") }
                    try await client.execute(uri: "/api/v1/schedules/\(schedule.schedule.id)", method: .delete, headers: headers) {
                        check($0, chairs, "delete schedule")
                    }
                    #expect((try await f.store.schedules.find(schedule.schedule.id) == nil) == chairs.contains(role))

                    // Runs.
                    try await client.execute(
                        uri: "/api/v1/runs", method: .post, headers: headers,
                        body: try F.body(["working_group": slug, "checkpoint": checkpoint.description, "suite": "matrix"])
                    ) { check($0, runners, "queue run") }
                    let run = try await f.store.runs.queue(
                        group: f.group.id, checkpoint: checkpoint, suite: suite.id, reserve: 1, actor: creatorActor)
                    try await client.execute(
                        uri: "/api/v1/runs/\(run.run.id)/cancel", method: .post, headers: headers, body: try F.body(["reason": "r"])
                    ) {
                        check($0, cancellers, "cancel run")
                    }
                    #expect((try await f.store.runs.find(run.run.id)?.run.status == .cancelled) == cancellers.contains(role))

                    // Allocations.
                    try await client.execute(
                        uri: "/api/v1/allocations", method: .post, headers: headers,
                        body: try F.body([
                            "working_group": slug, "resource": cpu.slug.rawValue, "amount": 10, "period_start": "2031-01-01",
                            "period_end": "2031-07-01",
                            "justification": "matrix",
                        ])
                    ) { check($0, admins, "grant") }
                    try await client.execute(
                        uri: "/api/v1/allocations/\(other.allocation.id)/adjust", method: .post, headers: headers,
                        body: try F.body(["by": 1, "reason": "r"])
                    ) { check($0, admins, "adjust") }
                    try await client.execute(
                        uri: "/api/v1/allocations/\(other.allocation.id)/revoke", method: .post, headers: headers, body: try F.body(["reason": "r"])
                    ) { check($0, admins, "revoke") }
                }
            }
            // Only the administrator's adjustment went through.
            #expect(try await f.store.allocations.find(other.allocation.id).allocation.amount == other.allocation.amount + 1)
        }
    }
}
