import ArgumentParser
import Domain
import Foundation
import Store

#if canImport(Glibc)
    import Glibc
#endif

/// What every command that changes data takes: who acts, and how sure they are.
struct MutationOptions: ParsableArguments {
    @Option(help: "Who is acting, for the audit log (default: the OS user).")
    var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

    @Flag(help: "Do it without asking.")
    var yes = false

    @Flag(help: "Show what would change and change nothing.")
    var dryRun = false

    var identity: Actor { Actor(name: self.actor) }

    /// Shows `preview`, then asks on a terminal. Returns false for `--dry-run`; throws when there is no terminal to ask
    /// and no `--yes`, since guessing is worse than refusing.
    func confirm(_ preview: String) throws -> Bool {
        print(preview)
        if self.dryRun {
            print("(dry run: nothing changed)")
            return false
        }
        if self.yes { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandError(
                "refusing to change allocations without confirmation: standard input is not a terminal; pass --yes, or --dry-run to preview")
        }
        print("Proceed? [y/N] ", terminator: "")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            throw CleanExit.message("Nothing changed.")
        }
        return true
    }
}

/// Parses the values people type for allocations.
enum Parse {
    /// `YYYY-MM-DD` as midnight UTC.
    static func day(_ text: String, option: String) throws -> Date {
        guard let date = ISO8601DateFormatter.date(from: text), text.count == 10 else {
            throw ValidationError("\(option) '\(text)' is not a date like 2026-01-31")
        }
        return date
    }

    /// A decimal amount such as `500`, `+120.5` or `-20`.
    static func amount(_ text: String, option: String) throws -> Decimal {
        let trimmed = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard trimmed.wholeMatch(of: /-?[0-9]+(\.[0-9]{1,4})?/) != nil,
            let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
        else {
            throw ValidationError("\(option) '\(text)' is not a number like 1500 or 12.5")
        }
        return value
    }
}

extension ISO8601DateFormatter {
    static func date(from text: String) -> Date? { ISODay.parse(text) }
}
