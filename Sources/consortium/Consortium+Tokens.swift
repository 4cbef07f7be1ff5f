import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium {
    /// `consortium tokens …`: API tokens for members.
    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke API tokens.", subcommands: [Create.self, List.self, Revoke.self])

        static func store(_ options: GlobalOptions) async throws -> (Store, DatabasePool) {
            let pool = try await options.migratedPool()
            return (Store(pool: pool), pool)
        }
    }
}

extension Consortium.Tokens {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; the secret is printed once and never stored.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The member's e-mail address.") var member: String
        @Option(help: "read, write or admin (admin only for administrators).") var scope: String = "read"
        @Option(help: "Lifetime, e.g. 90d, 12h (default: 90d; 'never' for no expiry).") var expires: String = "90d"
        @Option(help: "A name to tell tokens apart.") var name: String = "cli"

        func run() async throws {
            guard let scopeValue = APIToken.Scope(rawValue: scope) else { throw ValidationError("--scope must be read, write or admin") }
            let expiresAt = try Self.expiry(expires)
            let email = try EmailAddress(member)
            let (store, pool) = try await Consortium.Tokens.store(options)
            defer { pool.shutdown() }
            let actor = ProcessInfo.processInfo.environment["USER"] ?? "cli"
            let (token, secret) = try await store.tokens.create(for: email, name: name, scope: scopeValue, expiresAt: expiresAt, actor: actor)
            print(secret)
            FileHandle.standardError.write(
                Data(
                    "Token \(token.id) (\(scope)) for \(member)\(expiresAt.map { ", expires \(Format.day($0))" } ?? ""). Store the secret now; it is not shown again.\n"
                        .utf8))
        }

        static func expiry(_ text: String) throws -> Date? {
            if text == "never" { return nil }
            guard let match = text.wholeMatch(of: /([0-9]{1,5})([dh])/), let count = Int(match.1), count > 0 else {
                throw ValidationError("--expires '\(text)' is not a lifetime like 90d or 12h (or 'never')")
            }
            return Date().addingTimeInterval(Double(count) * (match.2 == "d" ? 86_400 : 3_600))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a member's tokens (never the secrets).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The member's e-mail address.") var member: String

        func run() async throws {
            let email = try EmailAddress(member)
            let (store, pool) = try await Consortium.Tokens.store(options)
            defer { pool.shutdown() }
            guard let found = try await store.members.find(email: email) else { throw CommandError("no member with e-mail \(member)") }
            let tokens = try await store.tokens.list(member: found.id)
            output.emit(
                columns: [
                    ("ID", "id"), ("NAME", "name"), ("PREFIX", "prefix"), ("SCOPE", "scope"), ("EXPIRES", "expires_at"),
                    ("LAST USED", "last_used_at"), ("REVOKED", "revoked_at"),
                ],
                rows: tokens.map {
                    [
                        $0.id.description, $0.name, $0.prefix, $0.scope.rawValue, Format.day($0.expiresAt), Format.day($0.lastUsedAt),
                        Format.day($0.revokedAt),
                    ]
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The token id.") var id: String

        func run() async throws {
            guard let tokenID = Identifier<APIToken>(id) else { throw ValidationError("'\(id)' is not a token id (a UUID)") }
            let (store, pool) = try await Consortium.Tokens.store(options)
            defer { pool.shutdown() }
            guard try await store.tokens.revoke(tokenID, member: nil, actor: ProcessInfo.processInfo.environment["USER"] ?? "cli") else {
                throw CommandError("no live token \(id)")
            }
            print("Revoked \(id)")
        }
    }
}
