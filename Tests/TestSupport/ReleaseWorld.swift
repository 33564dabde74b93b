import Foundation

/// The world the tests start from, in one scratch directory: a developer's repository `work`
/// whose remote `origin` is a bare repository beside it, and by default `main` released as the
/// annotated tag v1.0.0, both pushed. Built with the real git CLI; isolated from the host's git
/// configuration (the process and every git it runs) by its `Scratch`.
///
/// Test targets add their own verbs in subclasses: `PolicyFixture` judges updates in-process,
/// `GuardedClone` installs the built binary as a hook and runs it.
open class ReleaseWorld {
    public enum Start: Sendable {
        /// `work` has no commit yet and `origin` is empty.
        case empty
        /// `main` has one commit (adding `app.txt`), tagged v1.0.0 (annotated); both are on origin.
        case released
    }

    public let scratch: Scratch
    /// The bare repository, `origin` of `work`.
    public let origin: String
    /// The developer's repository, `main` checked out.
    public let work: String
    private let first: String?

    /// - Parameter originHead: the branch origin's HEAD names (`main`, as the team's).
    public init(_ start: Start = .released, originHead: String = "main") throws {
        scratch = try Scratch()
        origin = try scratch.bareRepository(initialBranch: originHead)
        work = try scratch.repository()
        try scratch.git("remote", "add", "origin", origin, in: work)
        switch start {
        case .empty:
            first = nil
        case .released:
            first = try scratch.commit("first", in: work, file: "app.txt")
            try scratch.tag("v1.0.0", in: work)
            try scratch.git("push", "-q", "origin", "main", "v1.0.0", in: work)
        }
    }

    /// main's first commit, the one v1.0.0 tags (a `.released` world only).
    public var firstCommit: String {
        guard let first else { preconditionFailure("a ReleaseWorld started .empty has no first commit") }
        return first
    }

    /// Runs git in `work`; returns its trimmed stdout, throws when it fails.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try scratch.git(arguments, in: work)
    }

    /// The object `name` names in `work`.
    public func rev(_ name: String) throws -> String {
        try scratch.git("rev-parse", name, in: work)
    }

    /// Commits in `work` (empty unless `file` is given) and returns the commit's id.
    @discardableResult
    public func commit(_ message: String, file: String? = nil) throws -> String {
        try scratch.commit(message, in: work, file: file)
    }

    /// Tags HEAD (or `target`) in `work` and returns the tag's object id (the commit's, when lightweight).
    @discardableResult
    public func tag(_ name: String, at target: String = "HEAD", annotated: Bool = true) throws -> String {
        try scratch.tag(name, in: work, at: target, annotated: annotated)
        return try rev("refs/tags/\(name)")
    }

    /// Deletes a tag of `work` (one made for one check, so that the next does not see it).
    public func deleteLocalTag(_ name: String) throws {
        try scratch.git("tag", "-d", name, in: work)
    }

    /// `git push` in `work` as a developer types it: hooks run, and the outcome is returned, not thrown.
    public func push(_ arguments: String...) throws -> ProcessResult {
        try scratch.run("/usr/bin/env", ["git", "push"] + arguments, in: work)
    }

    /// Every ref of origin with its value, to prove a refused push changed nothing.
    public func originRefs() throws -> String {
        try scratch.git("for-each-ref", "--format=%(refname) %(objectname)", in: origin)
    }
}
