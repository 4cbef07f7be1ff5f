/// Where a model's tensors come from: a directory of safetensors files, or a GGUF file whose
/// tensors are presented under Hugging Face names. Models bind against this, so one model type
/// loads from either format with the same strictness.
protocol WeightSource: Sendable {
    /// What to name in errors about the source as a whole (a directory or a file).
    var origin: String { get }
    /// Every tensor name the source offers.
    var names: Set<String> { get }
    /// A tensor's shape in PyTorch order, or nil if absent.
    func shape(of name: String) -> [Int]?
    /// Where a tensor lives, for errors (a file, and for GGUF the file's own tensor name).
    func path(of name: String) -> String
    /// A tensor's elements as `Float`, row-major.
    func floats(_ name: String) throws -> [Float]
    /// A tensor's elements for a model to keep, in place where the source allows.
    func weightElements(_ name: String) throws -> WeightMatrix.Elements
}

extension WeightSource {
    func weightElements(_ name: String) throws -> WeightMatrix.Elements { .owned(try floats(name)) }
}

extension CheckpointWeights: WeightSource {
    var origin: String { directory }
    func shape(of name: String) -> [Int]? { info(name)?.shape }
}
