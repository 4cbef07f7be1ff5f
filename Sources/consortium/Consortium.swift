import ArgumentParser

/// Throwaway root for the inference branch; main's own root replaces it at merge and lists `Infer`.
@main
struct Consortium: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consortium",
        abstract: "Run the open research consortium platform.",
        subcommands: [Infer.self]
    )
}
