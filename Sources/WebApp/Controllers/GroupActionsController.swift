import Domain
import Foundation
import Hummingbird
import Store

/// What signed-in members do on a group's page: chairs add and remove members and create schedules; chairs and
/// members register artifacts. The same rules as the API; a refused form comes back with what was typed and why.
struct GroupActionsController: Sendable {
    let store: Store
    let views: Views

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/groups/{slug}/members") { request, context in try await self.addMember(request, context: context) }
        router.post("/groups/{slug}/members/{membership}/end") { request, context in try await self.endMembership(request, context: context) }
        router.post("/groups/{slug}/artifacts") { request, context in try await self.register(request, context: context) }
        router.post("/groups/{slug}/schedules") { request, context in try await self.createSchedule(request, context: context) }
    }

    private var loader: GroupPageLoader { GroupPageLoader(store: self.store, views: self.views) }

    private func group(_ context: AppRequestContext) async throws -> WorkingGroup {
        let raw = try context.parameters.require("slug")
        guard let slug = try? Slug(raw), let group = try await self.store.workingGroups.find(slug: slug) else {
            throw Problem.notFound("There is no working group '\(raw.prefix(80))'.")
        }
        return group
    }

    private func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, identity) = try await PageForm.signedIn(request, context: context)
        let group = try await self.group(context)
        try MembershipAPIController.requireChair(identity, of: group.slug.rawValue)
        let values = ["email": form["email"], "role": form["role"]]
        let failed = { (field: String, message: String) in
            try await self.loader.render(
                group.slug.rawValue, context: context, forms: GroupForms(addMember: FormState(values: values, errors: [field: message])),
                status: .unprocessableContent
            ).response(from: request, context: context)
        }
        guard let role = Membership.Role(rawValue: form["role"]) else { return try await failed("role", "Choose chair, member or observer.") }
        guard let email = try? EmailAddress(form["email"]) else { return try await failed("email", "Enter an e-mail address.") }
        guard let member = try await self.store.members.find(email: email) else {
            return try await failed("email", "No member has this e-mail address; an administrator adds new members.")
        }
        do {
            _ = try await self.store.memberships.add(member: member.id, group: group.id, role: role, actor: identity.actor)
        } catch let error as StoreError where error.isConflict {
            return try await failed("email", "\(member.name) is already in this group; change their role instead.")
        }
        return Self.redirect("/groups/\(group.slug)#members")
    }

    private func endMembership(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, identity) = try await PageForm.signedIn(request, context: context)
        let group = try await self.group(context)
        try MembershipAPIController.requireChair(identity, of: group.slug.rawValue)
        let raw = try context.parameters.require("membership")
        guard let id = Identifier<Membership>(raw), let listing = try await self.store.memberships.find(id), listing.groupSlug == group.slug.rawValue
        else { throw Problem.notFound("There is no such membership in this group.") }
        try await self.store.memberships.end(id, precondition: nil, actor: identity.actor)
        return Self.redirect("/groups/\(group.slug)#members")
    }

    private func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, identity) = try await PageForm.signedIn(request, context: context)
        let group = try await self.group(context)
        try ArtifactAccess.requireRegister(identity, group: group.slug.rawValue)
        let fields = ["kind", "slug", "version", "title", "license", "description"]
        let values = Dictionary(uniqueKeysWithValues: fields.map { ($0, form[$0]) })
        let failed = { (field: String, message: String) in
            try await self.loader.render(
                group.slug.rawValue, context: context, forms: GroupForms(register: FormState(values: values, errors: [field: message])),
                status: .unprocessableContent
            ).response(from: request, context: context)
        }
        guard let kind = Artifact.Kind(rawValue: form["kind"]) else { return try await failed("kind", "Choose what kind of artifact this is.") }
        do {
            let artifact = try Artifact(
                workingGroupID: group.id, kind: kind, slug: form["slug"], version: form["version"].isEmpty ? "1" : form["version"],
                title: form["title"], description: form.raw("description"), license: form["license"].isEmpty ? nil : form["license"],
                createdBy: identity.member.id)
            let listing = try await self.store.artifacts.register(artifact, actor: identity.actor)
            return Self.redirect("/artifacts/\(listing.artifact.id)")
        } catch let error as DomainValidationError {
            return try await failed(fields.contains(error.field) ? error.field : "title", error.message)
        } catch let error as StoreError where error.isConflict {
            return try await failed("slug", error.description)
        }
    }

    private func createSchedule(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, identity) = try await PageForm.signedIn(request, context: context)
        let group = try await self.group(context)
        try MembershipAPIController.requireChair(identity, of: group.slug.rawValue)
        let values = ["suite": form["suite"], "checkpoint": form["checkpoint"], "cron": form["cron"]]
        let failed = { (field: String, message: String) in
            try await self.loader.render(
                group.slug.rawValue, context: context, forms: GroupForms(schedule: FormState(values: values, errors: [field: message])),
                status: .unprocessableContent
            ).response(from: request, context: context)
        }
        guard let suite = try await self.store.evaluations.suite(slug: form["suite"]) else { return try await failed("suite", "Choose a suite.") }
        let newest = form["checkpoint"].isEmpty || form["checkpoint"] == "newest"
        let checkpoint = newest ? nil : Identifier<Artifact>(form["checkpoint"])
        if !newest, checkpoint == nil { return try await failed("checkpoint", "Choose a checkpoint.") }
        var cron: CronExpression?
        if !form["cron"].isEmpty {
            do { cron = try CronExpression(form["cron"]) } catch { return try await failed("cron", error.message) }
        }
        if cron == nil, !newest {
            return try await failed("cron", "A fixed checkpoint needs a cron schedule; leave it empty only to follow each new checkpoint.")
        }
        do {
            _ = try await self.store.schedules.create(
                group: group.id, checkpoint: checkpoint, suite: suite.id, cron: cron, enabled: true, actor: identity.actor)
        } catch let error as StoreError where error.isConflict || error.isNotFound {
            return try await failed("checkpoint", error.description)
        }
        return Self.redirect("/groups/\(group.slug)#schedules")
    }

    /// After a successful form: back to a page with GET (post/redirect/get, so a reload does not submit twice).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
