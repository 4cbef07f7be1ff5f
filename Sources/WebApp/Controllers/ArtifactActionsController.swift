import Domain
import Foundation
import Hummingbird
import Store

/// What signed-in members do on an artifact's page: upload files to a draft and publish it (its registrant, the
/// group's chairs, administrators), and run an evaluation of a published checkpoint now (chairs and members).
struct ArtifactActionsController: Sendable {
    let store: Store
    let views: Views
    let content: LocalContentStore
    let maxUploadBytes: Int64

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/artifacts/{id}/files") { request, context in try await self.upload(request, context: context) }
        router.post("/artifacts/{id}/publish") { request, context in try await self.publish(request, context: context) }
        router.post("/artifacts/{id}/runs") { request, context in try await self.runNow(request, context: context) }
    }

    /// A form the page shows again with this message beside the file field.
    struct Refusal: Error {
        let message: String
    }

    private var loader: ArtifactPageLoader { ArtifactPageLoader(store: self.store, views: self.views) }

    private func failed(_ listing: ArtifactStore.Listing, _ forms: ArtifactForms, request: Request, context: AppRequestContext) async throws
        -> Response
    {
        try await self.loader.render(listing.artifact.id.description, context: context, forms: forms, status: .unprocessableContent)
            .response(from: request, context: context)
    }

    private func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let identity = context.identity, let token = context.csrfToken else {
            throw Problem(status: .unauthorized, type: "unauthenticated", title: "Sign in first", detail: "Sign in to do this.")
        }
        let listing = try await self.loader.visible(try context.parameters.require("id"), context: context)
        try ArtifactAccess.requireManage(identity, listing)
        guard listing.artifact.status == .draft else {
            throw StoreError.conflict("this version is \(listing.artifact.status.rawValue); register a new version to add files")
        }
        // The token and the path are checked before any byte of the file is stored.
        var typedPath = ""
        var path = ""
        let result: MultipartUpload.Result
        do {
            result = try await MultipartUpload.read(request, content: self.content, maxBytes: self.maxUploadBytes, fileField: "file") {
                fields, fileName in
                guard PageForm.constantTimeEqual(fields["csrf"] ?? "", token) else { throw PageForm.forged }
                typedPath = (fields["path"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                path = typedPath.isEmpty ? (fileName ?? "") : typedPath
                if path.isEmpty { throw Refusal(message: "Choose a file that is not empty.") }
                do { try ArtifactFile.validate(path: path) } catch {
                    throw Refusal(message: "The path \((error as? DomainValidationError)?.message ?? "is not valid").")
                }
            }
        } catch let refusal as Refusal {
            let forms = ArtifactForms(upload: FormState(values: ["path": typedPath], errors: ["file": refusal.message]))
            return try await self.failed(listing, forms, request: request, context: context)
        }
        guard let stored = result.content else {
            let forms = ArtifactForms(upload: FormState(values: ["path": typedPath], errors: ["file": "Choose a file that is not empty."]))
            return try await self.failed(listing, forms, request: request, context: context)
        }
        let mediaType = result.mediaType.flatMap { $0.utf8.count <= 100 && $0 != "application/octet-stream" ? $0 : nil }
        _ = try await self.store.artifacts.putFile(
            listing.artifact.id, path: path, content: stored, mediaType: mediaType ?? ArtifactFileAPIController.mediaType(for: path),
            actor: identity.actor)
        return GroupActionsController.redirect("/artifacts/\(listing.artifact.id)#files-heading")
    }

    private func publish(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, identity) = try await PageForm.signedIn(request, context: context)
        let listing = try await self.loader.visible(try context.parameters.require("id"), context: context)
        try ArtifactAccess.requireManage(identity, listing)
        do {
            _ = try await self.store.artifacts.publish(listing.artifact.id, precondition: nil, actor: identity.actor)
        } catch let error as StoreError where error.isConflict {
            return try await self.failed(
                listing, ArtifactForms(upload: FormState(errors: ["publish": error.description])), request: request, context: context)
        }
        return GroupActionsController.redirect("/artifacts/\(listing.artifact.id)")
    }

    private func runNow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (form, identity) = try await PageForm.signedIn(request, context: context)
        let listing = try await self.loader.visible(try context.parameters.require("id"), context: context)
        let role = identity.roles[listing.groupSlug]
        guard identity.isAdmin || role == .chair || role == .member else {
            throw Problem.forbidden("only chairs and members of '\(listing.groupSlug)' and administrators can queue its evaluations")
        }
        let values = ["suite": form["suite"], "reserve": form["reserve"]]
        let failed = { (field: String, message: String) in
            try await self.failed(
                listing, ArtifactForms(run: FormState(values: values, errors: [field: message])), request: request, context: context)
        }
        guard let suite = try await self.store.evaluations.suite(slug: form["suite"]) else { return try await failed("suite", "Choose a suite.") }
        let reserve = form["reserve"].isEmpty ? Decimal(1) : Decimal(string: form["reserve"], locale: Locale(identifier: "en_US_POSIX"))
        guard let reserve, reserve > 0, reserve < 1_000_000 else {
            return try await failed("reserve", "Reserve a number of CPU-hours above 0 and below 1,000,000.")
        }
        do {
            let run = try await self.store.runs.queue(
                group: listing.artifact.workingGroupID, checkpoint: listing.artifact.id, suite: suite.id, reserve: reserve, actor: identity.actor)
            return GroupActionsController.redirect("/runs/\(run.run.id)")
        } catch let error as AccountingError {
            return try await failed("reserve", error.description)
        } catch let error as StoreError where error.isConflict {
            return try await failed("suite", error.description)
        }
    }
}
