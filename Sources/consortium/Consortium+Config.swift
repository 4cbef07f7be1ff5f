import ArgumentParser
import Foundation

extension Consortium {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective configuration: every setting, its value (secrets redacted) and where it came from.",
            discussion: """
                Each setting comes from its flag, else its environment variable, else the config file \
                (NAME=VALUE lines; --config, $CONSORTIUM_CONFIG, or /etc/consortium/consortium.env when it exists), \
                else its default. Exits non-zero with one line naming the file and line when the config file is wrong.
                """)

        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let settings = try self.options.settings()
            // Typed settings are parsed here too, so a wrong value is reported now and not when a service starts.
            _ = try settings.integer(.databasePoolSize, in: 1...1000)
            _ = try settings.logLevel()
            _ = try settings.logFormat()
            _ = try settings.integer(.port, in: 1...65535)
            _ = try settings.bytes(.maxBodyBytes, in: 1024...(1 << 30))
            _ = try settings.bytes(.maxUploadBytes, in: 1...(1 << 50))
            _ = try settings.integer(.runnerConcurrency, in: 1...64)
            _ = try settings.integer(.runnerThreads, in: 1...256)
            _ = try settings.integer(.runnerLeaseSeconds, in: 2...3600)
            _ = try settings.seconds(.runnerPollSeconds, atLeast: 0.05)
            _ = try settings.seconds(.runnerScheduleSeconds, atLeast: 0.05)
            let rows = settings.entries.map { [$0.setting.name, $0.displayValue, "\($0.source)", $0.setting.summary] }
            self.output.emit(columns: [("SETTING", "name"), ("VALUE", "value"), ("SOURCE", "source"), ("MEANING", "summary")], rows: rows)
            for name in settings.unknownEnvironmentNames {
                FileHandle.standardError.write(Data("warning: \(name) is set in the environment but names no setting; it is ignored\n".utf8))
            }
        }
    }
}
