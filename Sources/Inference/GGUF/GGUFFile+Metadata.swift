extension GGUFFile {
    /// The integer at `key` (any integer type that fits `Int`).
    /// - Throws: ``GGUFError`` naming the key if it is absent or not such an integer.
    public func int(_ key: String) throws(GGUFError) -> Int {
        try required(key, optionalInt(key))
    }

    /// The integer at `key`, or nil if the key is absent.
    /// - Throws: ``GGUFError`` naming the key if it holds something other than an integer that fits `Int`.
    public func optionalInt(_ key: String) throws(GGUFError) -> Int? {
        try convert(key, "an integer that fits Int", \.int)
    }

    /// The number at `key` (float32, float64, or an integer `Double` represents exactly).
    /// - Throws: ``GGUFError`` naming the key if it is absent or not a number.
    public func float(_ key: String) throws(GGUFError) -> Double {
        try required(key, optionalFloat(key))
    }

    /// The number at `key`, or nil if the key is absent.
    /// - Throws: ``GGUFError`` naming the key if it holds something other than a number.
    public func optionalFloat(_ key: String) throws(GGUFError) -> Double? {
        try convert(key, "a number", \.double)
    }

    /// The string at `key`.
    /// - Throws: ``GGUFError`` naming the key if it is absent or not a string.
    public func string(_ key: String) throws(GGUFError) -> String {
        try required(key, optionalString(key))
    }

    /// The string at `key`, or nil if the key is absent.
    /// - Throws: ``GGUFError`` naming the key if it holds something other than a string.
    public func optionalString(_ key: String) throws(GGUFError) -> String? {
        try convert(key, "a string", \.string)
    }

    /// The bool at `key`, or nil if the key is absent.
    /// - Throws: ``GGUFError`` naming the key if it holds something other than a bool.
    public func optionalBool(_ key: String) throws(GGUFError) -> Bool? {
        try convert(key, "a bool", \.bool)
    }

    /// The array of strings at `key` (for example `tokenizer.ggml.tokens`).
    /// - Throws: ``GGUFError`` naming the key if it is absent or not an array of strings.
    public func strings(_ key: String) throws(GGUFError) -> [String] {
        let strings = try convert(key, "an array of strings", Self.strings(in:))
        return try required(key, strings)
    }

    /// The array of integers (of any integer type that fits `Int`) at `key`, or nil if the key is absent.
    /// - Throws: ``GGUFError`` naming the key if it holds something other than such an array.
    public func optionalInts(_ key: String) throws(GGUFError) -> [Int]? {
        try convert(key, "an array of integers that fit Int", Self.ints(in:))
    }

    private func required<T>(_ key: String, _ value: T?) throws(GGUFError) -> T {
        guard let value else { throw GGUFError(.missingKey, file: path, key: key, "required but absent") }
        return value
    }

    private func convert<T>(_ key: String, _ expected: String, _ conversion: (GGUFValue) -> T?) throws(GGUFError) -> T? {
        guard let value = metadata[key] else { return nil }
        guard let converted = conversion(value) else {
            throw GGUFError(.wrongKeyType, file: path, key: key, "holds \(Self.summary(of: value)), not \(expected)")
        }
        return converted
    }

    private static func strings(in value: GGUFValue) -> [String]? {
        guard let elements = value.array else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard let string = element.string else { return nil }
            strings.append(string)
        }
        return strings
    }

    private static func ints(in value: GGUFValue) -> [Int]? {
        guard let elements = value.array else { return nil }
        var ints: [Int] = []
        ints.reserveCapacity(elements.count)
        for element in elements {
            guard let int = element.int else { return nil }
            ints.append(int)
        }
        return ints
    }

    /// The value's type, with the value itself when it is short, for error messages.
    private static func summary(of value: GGUFValue) -> String {
        switch value {
        case .array(let elements): "an array of \(elements.count) \(elements.first?.typeName ?? "") values"
        case .string(let string): "string \"\(string.prefix(40))\""
        default: "\(value)"
        }
    }
}
