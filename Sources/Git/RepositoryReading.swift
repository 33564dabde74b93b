/// Read-only access to refs and objects, as the release rules use it. `Repository` answers
/// everything through libgit2; `LooseRepositoryReader` answers what it can without starting
/// libgit2 and throws `.needsLibgit2` for the rest.
public protocol RepositoryReading: AnyObject {
    var isShallow: Bool { get }
    func target(ofReference name: String) throws(GitError) -> ObjectID?
    func kind(of id: ObjectID) throws(GitError) -> Repository.ObjectKind
    func peeledCommit(of id: ObjectID) throws(GitError) -> ObjectID?
    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool
    func contains(_ id: ObjectID) throws(GitError) -> Bool
    func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError)
    func forEachReferenceName(matching glob: String, _ body: (String) throws(GitError) -> Void) throws(GitError)
    /// The first commit reachable from `tip` and not from `base` that libgit2 cannot parse,
    /// described (its id and why), or nil when every one can.
    func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(GitError) -> String?
    /// The content of the file at `path` in the tree of `commit`, or nil if there is none.
    func fileContent(_ path: String, at commit: ObjectID) throws(GitError) -> [UInt8]?
    /// The directory of refs and objects shared by all worktrees, with a trailing slash.
    var commonDirectory: String { get }
}

extension Repository: RepositoryReading {}

extension RepositoryReading {
    /// Whether tag names can be read by range (`forEachPackedTagName(from:to:)`).
    public func packedRefsAreSorted() throws(GitError) -> Bool { try Repository.packedRefsAreSorted(commonDirectory: commonDirectory) }

    /// The packed tag names from `lower` (included) to `upper` (excluded), by binary search.
    public func forEachPackedTagName(from lower: String, to upper: String?, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        try Repository.forEachPackedTagName(commonDirectory: commonDirectory, from: lower, to: upper, body)
    }

    /// The loose tag names only.
    public func forEachLooseTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        try Repository.forEachLooseName(directory: commonDirectory + "refs/tags", prefix: [], body)
    }
}
