import Git
import GitFiles

/// The questions the rules and commands ask of a repository: the domain's reading port.
///
/// `RepositoryReader` answers each question from the repository's files when they are enough,
/// and opens libgit2 (once, lazily) for the questions they are not; `LibGit2Reader` answers
/// everything through libgit2 alone. The differential tests hold the two to the same answers
/// and the same verdicts.
public protocol RepositoryReading: AnyObject {
    /// The directory of refs and objects shared by all worktrees, with a trailing slash.
    var commonDirectory: String { get }
    var isShallow: Bool { get }
    /// A ref's value (symbolic refs followed), nil when there is no such ref.
    func target(ofReference name: String) throws(ReadError) -> ObjectID?
    /// The full name of the ref a short name means, as git finds it (`main` → `refs/heads/main`,
    /// `v1.0.0` → `refs/tags/v1.0.0`, a tag before a branch of the same name; a symbolic ref
    /// followed: `origin` → `refs/remotes/origin/main`), nil when nothing matches.
    func fullReferenceName(for shorthand: String) throws(ReadError) -> String?
    /// The branch HEAD names (`refs/heads/main`, even before its first commit), nil when HEAD
    /// is detached.
    func headBranch() throws(ReadError) -> String?
    /// Throws `.git` with `.notFound` when the object is missing.
    func kind(of id: ObjectID) throws(ReadError) -> ObjectKind
    /// The commit an object peels to, nil for a tree or a blob (or a tag of one).
    func peeledCommit(of id: ObjectID) throws(ReadError) -> ObjectID?
    /// `many`: many questions about the same `commit` follow (a push of thousands of tags), so
    /// walking its history once beats a merge-base per question.
    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID, many: Bool) throws(ReadError) -> Bool
    func contains(_ id: ObjectID) throws(ReadError) -> Bool
    /// Every tag name, without `refs/tags/`, as bytes (a name may come twice).
    func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError)
    /// The tag names from `lower` (included) to `upper` (excluded; nil: to the end).
    func forEachTagName(from lower: String, to upper: String?, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError)
    /// The full names of the refs matching `glob` (`*` matches `/` too), sorted.
    func referenceNames(matching glob: String) throws(ReadError) -> [String]
    /// The tags (names without `refs/tags/`) that peel to each of `commits`.
    func tagNames(pointingAt commits: Set<ObjectID>) throws(ReadError) -> [ObjectID: [String]]
    /// Every ref under `prefix` (`refs/tags/`) with its value.
    func referenceValues(under prefix: String) throws(ReadError) -> [String: ObjectID]
    /// When a tag was made (tagger date) or a commit committed, in seconds; nil for others.
    func creationTime(of id: ObjectID) throws(ReadError) -> Int64?
    /// The content of the file at `path` in the tree of `commit`, nil if there is none.
    func fileContent(_ path: String, at commit: ObjectID) throws(ReadError) -> [UInt8]?
    /// The first commit from `tip` (back to `base`) libgit2 cannot parse, described; nil when all can.
    func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(ReadError) -> String?
}

extension RepositoryReading {
    /// The tag names of `component`, each with the part after its stem (`google-gax-` of
    /// `google-gax-v5.0.4`: `v5.0.4`, which the classifier and the index read as a plain name).
    /// A component's names are one range of the sorted names; the plain tags are every name.
    func forEachTagName(
        of component: TagComponent, _ body: (_ name: UnsafeBufferPointer<UInt8>, _ afterStem: UnsafeBufferPointer<UInt8>) -> Void
    ) throws(ReadError) {
        let stem = Array(component.stem.utf8)
        guard !stem.isEmpty else { return try forEachTagName { body($0, $0) } }
        var upper = stem
        upper[upper.count - 1] += 1  // a stem is printable ASCII: the next byte is still ASCII
        try forEachTagName(from: component.stem, to: String(decoding: upper, as: UTF8.self)) { name in
            guard name.count > stem.count, name.starts(with: stem) else { return }
            body(name, UnsafeBufferPointer(rebasing: name[stem.count...]))
        }
    }
}

/// Why a question about the repository could not be answered.
public enum ReadError: Error, CustomStringConvertible, Sendable {
    /// libgit2 failed (a missing object is `.notFound`).
    case git(GitError)
    /// The ref files are something git refuses (a damaged packed-refs, a symlink loop).
    case refFiles(RefFilesError)

    public var isNotFound: Bool {
        if case .git(let error) = self { return error.code == .notFound }
        return false
    }

    public var message: String {
        switch self {
        case .git(let error): error.message
        case .refFiles(let error): error.message
        }
    }

    public var description: String { message }

    /// For a repository that cannot be opened: a config file libgit2 cannot read is named with
    /// its line and how to check it; no repository here is said the same way by every command.
    public var openingDescription: String {
        if case .git(let error) = self, error.isConfiguration {
            return
                "cannot read the git configuration: \(error.message). Fix that line (`git config --list --show-origin` shows where each setting comes from)."
        }
        if isNotFound { return Self.noRepository }
        return "cannot open the git repository: \(message)"
    }

    /// What every command says when it runs outside any repository.
    public static let noRepository =
        "not a git repository (nor any parent directory): run release-guardian inside a clone of the repository."
}

/// Every question answered through libgit2 alone: the reference the file readers are held to,
/// and the answer to the questions they leave.
public final class LibGit2Reader: RepositoryReading {
    public let repository: Repository
    /// Each head's history, walked once when many questions are asked about it.
    private var ancestorWalks: [ObjectID: AncestorWalk] = [:]

    public init(_ repository: Repository) {
        self.repository = repository
    }

    public var commonDirectory: String { repository.commonDirectory }
    public var isShallow: Bool { repository.isShallow }

    public func target(ofReference name: String) throws(ReadError) -> ObjectID? {
        try libgit2 { () throws(GitError) in try repository.target(ofReference: name) }
    }

    public func fullReferenceName(for shorthand: String) throws(ReadError) -> String? {
        try libgit2 { () throws(GitError) in try repository.fullReferenceName(for: shorthand) }
    }

    public func headBranch() throws(ReadError) -> String? {
        try libgit2 { () throws(GitError) in try repository.headBranch() }
    }

    public func kind(of id: ObjectID) throws(ReadError) -> ObjectKind {
        try libgit2 { () throws(GitError) in try repository.kind(of: id) }
    }

    public func peeledCommit(of id: ObjectID) throws(ReadError) -> ObjectID? {
        try libgit2 { () throws(GitError) in try repository.peeledCommit(of: id) }
    }

    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID, many: Bool) throws(ReadError) -> Bool {
        // A shallow history stops early: a walk would miss what `isAncestor` reports as unknown.
        guard ancestor != commit, many, !repository.isShallow else {
            return try libgit2 { () throws(GitError) in try repository.isAncestor(ancestor, of: commit) }
        }
        return try libgit2 { () throws(GitError) in
            let walk: AncestorWalk
            if let known = ancestorWalks[commit] { walk = known } else { walk = try repository.ancestorWalk(from: commit) }
            ancestorWalks[commit] = walk
            return try walk.contains(ancestor)
        }
    }

    public func contains(_ id: ObjectID) throws(ReadError) -> Bool {
        try libgit2 { () throws(GitError) in try repository.contains(id) }
    }

    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError) {
        try libgit2 { () throws(GitError) in try repository.forEachTagName(body) }
    }

    public func forEachTagName(from lower: String, to upper: String?, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError) {
        let (low, high) = (Array(lower.utf8), upper.map { Array($0.utf8) })
        try forEachTagName { name in
            if !name.lexicographicallyPrecedes(low), high.map({ name.lexicographicallyPrecedes($0) }) ?? true { body(name) }
        }
    }

    public func referenceNames(matching glob: String) throws(ReadError) -> [String] {
        var names: [String] = []
        try libgit2 { () throws(GitError) in try repository.forEachReferenceName(matching: glob) { names.append($0) } }
        return names.sorted()
    }

    public func tagNames(pointingAt commits: Set<ObjectID>) throws(ReadError) -> [ObjectID: [String]] {
        var found: [ObjectID: [String]] = [:]
        guard !commits.isEmpty else { return found }
        for name in try referenceNames(matching: RefName.tagsPrefix + "*") {
            guard let commit = try libgit2({ () throws(GitError) in try repository.peeledCommit(ofReference: name) }),
                commits.contains(commit)
            else { continue }
            found[commit, default: []].append(String(name.dropFirst(RefName.tagsPrefix.count)))
        }
        return found
    }

    public func referenceValues(under prefix: String) throws(ReadError) -> [String: ObjectID] {
        var values: [String: ObjectID] = [:]
        for name in try referenceNames(matching: prefix + "*") {
            if let id = try target(ofReference: name) { values[name] = id }
        }
        return values
    }

    public func creationTime(of id: ObjectID) throws(ReadError) -> Int64? {
        try libgit2 { () throws(GitError) in try repository.creationTime(of: id) }
    }

    public func fileContent(_ path: String, at commit: ObjectID) throws(ReadError) -> [UInt8]? {
        try libgit2 { () throws(GitError) in try repository.fileContent(path, at: commit) }
    }

    public func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(ReadError) -> String? {
        try libgit2 { () throws(GitError) in try repository.firstUnreadableCommit(from: tip, excluding: base) }
    }

    private func libgit2<T>(_ body: () throws(GitError) -> T) throws(ReadError) -> T {
        do { return try body() } catch { throw .git(error) }
    }
}
