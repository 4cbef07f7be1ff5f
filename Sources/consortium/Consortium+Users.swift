import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium {
    /// `consortium users …`: members' web sign-in.
    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage members' web sign-in.", subcommands: [SetPassword.self])
    }
}

extension Consortium.Users {
    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set a member's web password (read from standard input, never from the command line); signs out their sessions.",
            discussion: "echo 'correct horse battery' | consortium users set-password --member ada@example.org")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The member's e-mail address.") var member: String

        func run() async throws {
            let email = try EmailAddress(member)
            // A password on the command line would sit in shell history and in `ps`; standard input keeps it out of both.
            let input = FileHandle.standardInput.readDataToEndOfFile()
            guard input.count <= 4096, var password = String(data: input, encoding: .utf8) else {
                throw CommandError("the password on standard input is not UTF-8 text of at most 4096 bytes")
            }
            if password.hasSuffix("\n") { password.removeLast() }
            if password.hasSuffix("\r") { password.removeLast() }
            let pool = try await options.migratedPool()
            defer { pool.shutdown() }
            let actor = Actor(name: ProcessInfo.processInfo.environment["USER"] ?? "cli")
            try await Store(pool: pool).sessions.setPassword(email: email, password: password, actor: actor)
            FileHandle.standardError.write(Data("Password set for \(member); their existing sessions are signed out.\n".utf8))
        }
    }
}
