/// The refs on disk are something git refuses or cannot walk (a damaged packed-refs, a symlink
/// loop under `refs/`). The message says what and how to repair it; git would stop too, so this
/// is an error (exit 2), never "no refs" and never a question for libgit2.
public struct RefFilesError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
