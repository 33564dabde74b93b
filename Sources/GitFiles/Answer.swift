/// What a file reader says to a question: the answer, or that it cannot tell from the files it
/// understands (a packed object, a history walk, a config it does not handle, a repository
/// format it does not know). "Unknown" is never "nothing": the caller asks libgit2.
public enum Answer<Value> {
    case known(Value)
    case unknown

    /// The answer, or nil when unknown.
    public var value: Value? {
        if case .known(let value) = self { return value }
        return nil
    }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> Answer<T> {
        switch self {
        case .known(let value): .known(try transform(value))
        case .unknown: .unknown
        }
    }
}

extension Answer: Equatable where Value: Equatable {}
extension Answer: Sendable where Value: Sendable {}
