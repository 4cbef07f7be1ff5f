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

@Suite struct MembershipAPITests {
    typealias F = ArtifactFixture

    @Test func chairsManageTheirGroupAndHistoryIsKept() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let slug = f.group.slug.rawValue
            let outsider = try #require(f.members[.outsider])
            try await f.app().test(.router) { client async throws in
                let add = try F.body(["working_group": slug, "member": outsider.email.rawValue, "role": "member", "started_on": "2026-01-01"])
                for role in [F.Role.anonymous, .reader, .member, .observer] {
                    try await client.execute(uri: "/api/v1/memberships", method: .post, headers: f.headers(role), body: add) {
                        response async throws in
                        #expect(response.status == (role == .anonymous ? .unauthorized : .forbidden), "\(role)")
                    }
                }
                let id = try await client.execute(uri: "/api/v1/memberships", method: .post, headers: f.headers(.chair), body: add) {
                    response async throws in
                    #expect(response.status == .created)
                    let m = try F.json(response.body)
                    #expect(m["member_id"] as? String == outsider.id.description)
                    #expect(m["role"] as? String == "member")
                    #expect(m["started_on"] as? String == "2026-01-01")
                    #expect(m["current"] as? Bool == true)
                    return try #require(m["id"] as? String)
                }
                try await client.execute(uri: "/api/v1/memberships", method: .post, headers: f.headers(.chair), body: add) { response async throws in
                    #expect(response.status == .conflict)
                }
                // The new member can now register artifacts for the group: roles are read afresh on every request.
                try await client.execute(
                    uri: "/api/v1/artifacts", method: .post, headers: f.headers(.outsider),
                    body: try F.body(["working_group": slug, "kind": "paper", "slug": "joined", "title": "Joined"])
                ) { #expect($0.status == .created) }

                // Two chairs edit the same version: the stale If-Match is refused and nothing changes.
                let etag = try await client.execute(uri: "/api/v1/memberships/\(id)", method: .get) { try #require($0.headers[.eTag]) }
                let promoted = try await client.execute(
                    uri: "/api/v1/memberships/\(id)", method: .patch, headers: f.headers(.chair, [.ifMatch: etag]),
                    body: try F.body(["role": "chair"])
                ) { response async throws in
                    #expect(response.status == .ok)
                    let m = try F.json(response.body)
                    #expect(m["role"] as? String == "chair")
                    return try #require(m["id"] as? String)
                }
                #expect(promoted != id)  // a role change starts a new row; the old one ends today
                try await client.execute(
                    uri: "/api/v1/memberships/\(id)", method: .patch, headers: f.headers(.admin, [.ifMatch: etag]),
                    body: try F.body(["role": "observer"])
                ) { #expect($0.status == .preconditionFailed) }
                try await client.execute(uri: "/api/v1/memberships/\(id)", method: .get) { response async throws in
                    let m = try F.json(response.body)
                    #expect(m["current"] as? Bool == false)
                    #expect(m["ended_on"] as? String == ISODay.format(Date()))
                }
                try await client.execute(uri: "/api/v1/memberships?member=\(outsider.id)&working_group=\(slug)&include_past=true", method: .get) {
                    response async throws in
                    let roles = (try F.json(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }.sorted()
                    #expect(roles == ["chair", "member"])
                }
                try await client.execute(uri: "/api/v1/memberships?include_past=maybe", method: .get) { #expect($0.status == .unprocessableContent) }
                try await client.execute(
                    uri: "/api/v1/memberships/\(promoted)", method: .patch, headers: f.headers(.chair), body: try F.body(["role": "king"])
                ) { #expect($0.status == .unprocessableContent) }
                // Ending a past membership is refused: history stays as it was.
                try await client.execute(uri: "/api/v1/memberships/\(id)", method: .delete, headers: f.headers(.admin)) {
                    #expect($0.status == .conflict)
                }
            }
            let actions = try await f.store.audit.page(beforeID: nil, entityType: "membership", entityID: nil, limit: 10).map(\.action)
            #expect(actions.sorted() == ["membership.add", "membership.change_role"])
        }
    }

    @Test func aGroupIsNeverLeftWithoutAChairAndMembersMayLeave() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let slug = f.group.slug.rawValue
            let memberships = try await f.store.memberships.page(.init(group: slug), after: nil, limit: 200)
            let chairs = memberships.filter { $0.membership.role == .chair }
            try await f.app().test(.router) { client async throws in
                // Every chair but one steps down; the last one cannot, not even by an administrator's hand.
                for chair in chairs.dropLast() {
                    try await client.execute(uri: "/api/v1/memberships/\(chair.membership.id)", method: .delete, headers: f.headers(.admin)) {
                        #expect($0.status == .noContent)
                    }
                }
                let last = try #require(chairs.last)
                try await client.execute(uri: "/api/v1/memberships/\(last.membership.id)", method: .delete, headers: f.headers(.admin)) {
                    response async throws in
                    #expect(response.status == .conflict)
                    #expect(String(buffer: response.body).contains("last chair"))
                }
                try await client.execute(
                    uri: "/api/v1/memberships/\(last.membership.id)", method: .patch, headers: f.headers(.admin), body: try F.body(["role": "member"])
                ) { #expect($0.status == .conflict) }
                // A member may leave on their own; another member may not remove them.
                let own = try #require(memberships.first { $0.membership.memberID == f.members[.member]?.id })
                try await client.execute(uri: "/api/v1/memberships/\(own.membership.id)", method: .delete, headers: f.headers(.creator)) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/memberships/\(own.membership.id)", method: .delete, headers: f.headers(.member)) {
                    #expect($0.status == .noContent)
                }
                try await client.execute(
                    uri: "/api/v1/artifacts", method: .post, headers: f.headers(.member),
                    body: try F.body(["working_group": slug, "kind": "paper", "slug": "after-leaving", "title": "T"])
                ) { #expect($0.status == .forbidden) }
            }
            let current = try await f.store.memberships.page(.init(group: slug), after: nil, limit: 200)
            #expect(current.filter { $0.membership.role == .chair }.count == 1)
            #expect(current.count == memberships.count - chairs.count)
        }
    }
}
