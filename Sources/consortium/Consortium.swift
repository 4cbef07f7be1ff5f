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
    /// and keeps the engine's freed activation buffers for reuse (see ``ActivationMemory``).
    static func main() async {
        BLASKernels.restartIfMisdetected()
        ActivationMemory.retainFreedBuffers()
        await main(nil)
    }
}
