import ArgumentParser
import Database
import Foundation
import Store

extension Consortium {
    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load data. --demo loads a fictitious BigScience-sized consortium (safe to run again).")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Load the demo consortium: ~600 members, 250 institutions, 50 countries, 16 working groups.")
        var demo = false

        func validate() throws {
            if !self.demo { throw ValidationError("nothing to seed: pass --demo") }
        }

        func run() async throws {
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let report = try await DemoSeeder(pool: pool, logger: self.options.logger(label: "consortium.seed")).seed(try DemoConsortium())
            print(report.total == 0 ? "Demo consortium already present; nothing to add." : "Seeded demo consortium: \(report)")
        }
    }
}
