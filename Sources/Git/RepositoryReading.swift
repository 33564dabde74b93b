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
}

extension Repository: RepositoryReading {}
