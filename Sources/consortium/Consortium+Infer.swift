import ArgumentParser

extension Consortium {
    struct Infer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run transformer checkpoints on CPU.")
    }
}
