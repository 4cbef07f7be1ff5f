/// A value that breaks a domain rule, naming the field so an API can point at it.
public struct DomainValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field (snake_case, as in the API) that holds the bad value.
    public let field: String
    /// What is wrong, in words a user can act on.
    public let message: String

    /// Creates an error for `field`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(self.field): \(self.message)" }
}
