import Domain
import Hummingbird
import Store

/// Who may do what with artifacts: anyone reads published ones; members of the group and administrators also see
/// drafts; chairs and members (not observers) register artifacts for their group; the registering member, the group's
/// chairs and administrators change them. Writing needs a write- or admin-scoped token.
enum ArtifactAccess {
    static func viewer(_ context: AppRequestContext) -> ArtifactStore.Viewer {
        guard let identity = context.identity else { return .anonymous }
        return ArtifactStore.Viewer(isAdmin: identity.member.isAdmin, groups: Array(identity.roles.keys))
    }

    static func requireRegister(_ identity: TokenStore.Identity, group: String) throws {
        if identity.isAdmin { return }
        guard let role = identity.roles[group], role != .observer else {
            throw Problem.forbidden("only chairs and members of '\(group)' and administrators can register its artifacts")
        }
    }

    static func requireManage(_ identity: TokenStore.Identity, _ listing: ArtifactStore.Listing) throws {
        if identity.isAdmin { return }
        let role = identity.roles[listing.groupSlug]
        if role == .chair { return }
        if role == .member, listing.artifact.createdBy == identity.member.id { return }
        throw Problem.forbidden("only the member who registered this artifact, chairs of '\(listing.groupSlug)' and administrators can change it")
    }

    /// The artifact named by the `{id}` parameter, if the caller may see it (otherwise 404, so drafts do not leak).
    static func visible(_ context: AppRequestContext, store: Store) async throws -> ArtifactStore.Listing {
        let raw = try context.parameters.require("id")
        guard let id = Identifier<Artifact>(raw), let listing = try await store.artifacts.find(id), Self.viewer(context).canSee(listing) else {
            throw Problem.notFound("no artifact '\(raw.prefix(80))'")
        }
        return listing
    }
}
