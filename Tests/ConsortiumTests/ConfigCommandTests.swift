import DatabaseTestSupport
import Foundation
import Testing

/// `consortium config` and the settings every command resolves: flag over environment over config file over default.
@Suite struct ConfigCommandTests {
    private var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONSORTIUM_BIN"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("consortium").path
    }

    /// Every setting variable is removed from the test's own environment, so only what a test passes counts.
    private func consortium(_ arguments: [String], environment: [String: String] = [:]) async throws -> Shell.Outcome {
        let inherited = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("CONSORTIUM_") || $0.hasPrefix("DATABASE_") }
        return try await Shell.run(binary, arguments, environment: environment, removing: inherited.filter { environment[$0] == nil })
    }

    private func configFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("consortium-\(UUID().uuidString).env")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The JSON lines of `consortium config --json`, by setting name.
    private func entries(_ outcome: Shell.Outcome) throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for line in outcome.stdout.split(separator: "\n") {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            result[try #require(object["name"])] = object
        }
        return result
    }

    @Test func eachSettingSaysWhereItsValueCameFrom() async throws {
        let file = try configFile(
            """
            # comments and blank lines are fine

            CONSORTIUM_PORT=9090
            export CONSORTIUM_HOST="0.0.0.0"
            CONSORTIUM_LOG_LEVEL=warning
            DATABASE_URL='postgresql://app:s3cret@db.example/consortium'
            """)
        let outcome = try await consortium(
            ["config", "--json", "--config", file, "--log-level", "debug"], environment: ["CONSORTIUM_HOST": "10.0.0.5", "CONSORTIUM_PROTT": "1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let settings = try entries(outcome)
        #expect(settings["CONSORTIUM_PORT"]?["value"] == "9090")
        #expect(settings["CONSORTIUM_PORT"]?["source"] == "\(file) line 3")
        #expect(settings["CONSORTIUM_HOST"]?["value"] == "10.0.0.5")
        #expect(settings["CONSORTIUM_HOST"]?["source"] == "environment")
        #expect(settings["CONSORTIUM_LOG_LEVEL"]?["value"] == "debug")
        #expect(settings["CONSORTIUM_LOG_LEVEL"]?["source"] == "flag --log-level")
        #expect(settings["CONSORTIUM_WEB_DIR"]?["value"] == "Web")
        #expect(settings["CONSORTIUM_WEB_DIR"]?["source"] == "default")
        #expect(settings["CONSORTIUM_CONFIG"]?["value"] == file)
        // The password never appears; the rest of the address does, so an operator can still tell which database.
        #expect(settings["DATABASE_URL"]?["value"] == "postgresql://app:***@db.example/consortium")
        #expect(!outcome.stdout.contains("s3cret"))
        #expect(outcome.stderr.contains("CONSORTIUM_PROTT is set in the environment but names no setting"))
    }

    @Test func windowsLineEndingsQuotesAndBackslashesAreReadAsSystemdReadsThem() async throws {
        // Written on Windows (CRLF); a double-quoted value where only \" \\ \$ \` are escapes and other backslashes stay.
        let file = try configFile(#"# saved on Windows"# + "\r\n" + "CONSORTIUM_PORT=9191\r\n" + #"CONSORTIUM_WEB_DIR="C:\web\"x\" \\y""# + "\r\n")
        let outcome = try await consortium(["config", "--json", "--config", file])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let settings = try entries(outcome)
        #expect(settings["CONSORTIUM_PORT"]?["value"] == "9191")
        #expect(settings["CONSORTIUM_WEB_DIR"]?["value"] == #"C:\web"x" \y"#)
        #expect(settings["CONSORTIUM_WEB_DIR"]?["source"] == "\(file) line 3")
        let unterminated = try configFile(#"CONSORTIUM_HOST="abc\""# + "\n")
        let refused = try await consortium(["config", "--config", unterminated])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("line 1: unterminated \" quote"))
    }

    @Test func aMisspeltOrRepeatedOrUnparsableSettingIsOneLineNamingTheFileAndLine() async throws {
        let misspelt = try configFile("CONSORTIUM_PORT=9090\nCONSORTIUM_PROT=9091\n")
        var outcome = try await consortium(["config", "--config", misspelt])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("\(misspelt) line 2: unknown setting CONSORTIUM_PROT"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)

        let repeated = try configFile("CONSORTIUM_PORT=9090\n\nCONSORTIUM_PORT=9091\n")
        outcome = try await consortium(["config", "--config", repeated])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("line 3: CONSORTIUM_PORT is already set on line 1"))

        let noEquals = try configFile("CONSORTIUM_PORT 9090\n")
        outcome = try await consortium(["config", "--config", noEquals])
        #expect(outcome.stderr.contains("line 1: expected NAME=VALUE"))

        let badPort = try configFile("CONSORTIUM_PORT=99999\n")
        outcome = try await consortium(["config", "--config", badPort])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("CONSORTIUM_PORT=99999 (from \(badPort) line 1): must be a whole number from 1 to 65535"))

        // The same check stops a service before it starts, not at its first request.
        outcome = try await consortium(["serve"], environment: ["CONSORTIUM_MAX_UPLOAD_BYTES": "lots"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("CONSORTIUM_MAX_UPLOAD_BYTES=lots (from environment)"))
        outcome = try await consortium(["runner", "--until-idle"], environment: ["CONSORTIUM_RUNNER_LEASE_SECONDS": "1"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("CONSORTIUM_RUNNER_LEASE_SECONDS=1 (from environment): must be a whole number from 2 to 3600"))

        outcome = try await consortium(["config", "--config", "/nonexistent/consortium.env"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("the config file /nonexistent/consortium.env does not exist"))
    }
}
