import CLibGit2

/// An error reported by libgit2, with the function that reported it.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// The libgit2 error codes that callers branch on; anything else is `.other`.
    public enum Code: Equatable, Sendable {
        case notFound, exists, ambiguous, nonFastForward, invalidSpec, peel, auth, user, other(Int32)

        init(_ rc: Int32) {
            switch rc {
            case GIT_ENOTFOUND.rawValue: self = .notFound
            case GIT_EEXISTS.rawValue: self = .exists
            case GIT_EAMBIGUOUS.rawValue: self = .ambiguous
            case GIT_ENONFASTFORWARD.rawValue: self = .nonFastForward
            case GIT_EINVALIDSPEC.rawValue: self = .invalidSpec
            case GIT_EPEEL.rawValue: self = .peel
            case GIT_EAUTH.rawValue: self = .auth
            case GIT_EUSER.rawValue: self = .user
            default: self = .other(rc)
            }
        }
    }

    public let code: Code
    public let message: String
    public let function: String
    /// libgit2 could not read a git config file (the message names the file and line).
    public let isConfiguration: Bool

    public init(code: Code, message: String, function: String, isConfiguration: Bool = false) {
        self.code = code
        self.message = message
        self.function = function
        self.isConfiguration = isConfiguration
    }

    public var description: String { "\(message) (\(function))" }
}

/// Turns a libgit2 return code into a thrown `GitError`; only negative codes fail.
@discardableResult
func check(_ rc: Int32, _ function: StaticString) throws(GitError) -> Int32 {
    guard rc < 0 else { return rc }
    var message = "libgit2 error \(rc)"
    var isConfiguration = false
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
        isConfiguration = last.pointee.klass == Int32(GIT_ERROR_CONFIG.rawValue)
    }
    git_error_clear()
    throw GitError(code: GitError.Code(rc), message: message, function: "\(function)", isConfiguration: isConfiguration)
}
