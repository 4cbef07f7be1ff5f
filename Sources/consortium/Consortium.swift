import ArgumentParser
import Inference

/// The single executable: every operator and administrator task is a subcommand.
@main
struct Consortium: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consortium",
        abstract: "Run and administer an open research consortium: working groups, artifacts, compute and evaluations.",
        subcommands: [
            Serve.self, RunnerCommand.self, Eval.self, Artifacts.self, Migrate.self, Seed.self, Allocations.self, Tokens.self, Users.self, Infer.self,
            Config.self,
        ]
    )

    /// Restarts on OpenBLAS's vector kernels first if the library did not recognise this CPU (see ``BLASKernels``),
    /// and, for the subcommands that execute models, keeps the engine's freed activation buffers for reuse (see
    /// ``ActivationMemory``). Otherwise what ArgumentParser's own `main` does.
    static func main() async {
        BLASKernels.restartIfMisdetected()
        do {
            // Parsed synchronously: awaiting the async parser hops to the cooperative pool, whose threads would then
            // have taken arenas of their own before the allocator is configured (490,000 page faults instead of 40,000).
            var command = try parseAsRoot(nil)
            if type(of: command) is any RunsModels.Type { ActivationMemory.retainFreedBuffers() }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
