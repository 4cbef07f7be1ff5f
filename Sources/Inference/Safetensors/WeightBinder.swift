/// Hands a model its tensors one by name and shape, then insists every tensor was used.
///
/// This is where the strictness of weight loading lives: a missing tensor, a shape that disagrees
/// with the configuration, or a tensor nobody asked for is an error naming the file and tensor.
struct WeightBinder {
    let weights: any WeightSource
    /// Buffers that checkpoints carry but that are not weights (e.g. BERT's `position_ids`).
    let ignorable: (String) -> Bool
    private(set) var consumed: Set<String> = []

    init(_ weights: any WeightSource, ignoring ignorable: @escaping (String) -> Bool = { _ in false }) {
        self.weights = weights
        self.ignorable = ignorable
    }

    func has(_ name: String) -> Bool { weights.shape(of: name) != nil }

    /// Takes a tensor whose shape must be exactly `shape`.
    mutating func take(_ name: String, shape: [Int]) throws -> [Float] {
        try check(name, shape: shape)
        return try weights.floats(name)
    }

    /// Takes a 2-D tensor as weights, read in place from a mapped file where the source allows.
    mutating func matrix(_ name: String, _ rows: Int, _ cols: Int) throws -> WeightMatrix {
        try check(name, shape: [rows, cols])
        return WeightMatrix(rows: rows, cols: cols, elements: try weights.weightElements(name))
    }

    /// Projections that read the same input, stacked into one (Σ rows, inputs) weight so that one GEMM computes them
    /// all: copied (their mapped pages are released), unless there is only one, which stays in place.
    mutating func stacked(_ parts: [(name: String, rows: Int)], inputs: Int, bias: Bool) throws -> Linear {
        if parts.count == 1, let part = parts.first {
            return Linear(
                weight: try matrix(part.name + ".weight", part.rows, inputs),
                bias: bias ? try take(part.name + ".bias", shape: [part.rows]) : nil, weightIsInputMajor: false)
        }
        var weight: [Float] = []
        var biases: [Float] = []
        for part in parts {
            weight += try take(part.name + ".weight", shape: [part.rows, inputs])
            if bias { biases += try take(part.name + ".bias", shape: [part.rows]) }
        }
        return Linear(
            weight: WeightMatrix(rows: parts.map(\.rows).reduce(0, +), cols: inputs, storage: weight), bias: bias ? biases : nil,
            weightIsInputMajor: false)
    }

    private mutating func check(_ name: String, shape: [Int]) throws {
        guard let actual = weights.shape(of: name) else {
            throw SafetensorsError(.missingTensor, file: weights.origin, tensor: name, "required by the model but absent")
        }
        guard actual == shape else {
            throw SafetensorsError(
                .shapeMismatch, file: weights.path(of: name), tensor: name, "shape \(actual) but the configuration implies \(shape)")
        }
        consumed.insert(name)
    }

    /// Fails on the first tensor neither taken nor ignorable.
    func finish() throws(SafetensorsError) {
        for name in weights.names.sorted() where !consumed.contains(name) && !ignorable(name) {
            throw SafetensorsError(.unexpectedTensor, file: weights.path(of: name), tensor: name, "not used by the model")
        }
    }
}
