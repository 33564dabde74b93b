import CLibGit2

/// The few writes release-guardian makes: refs (never the working tree or HEAD), and the
/// ledger's commits.
extension Repository {
    /// Points `name` at `id`. Without `force`, an existing ref is an `.exists` error.
    public func setReference(_ name: String, to id: ObjectID, force: Bool, message: String) throws(GitError) {
        var oid = id.oid
        var reference: OpaquePointer?
        try check(git_reference_create(&reference, handle, name, &oid, force ? 1 : 0, message), "git_reference_create")
        git_reference_free(reference)
    }

    /// Deletes a reference (a remote-tracking branch the remote no longer has).
    public func deleteReference(_ name: String) throws(GitError) {
        var reference: OpaquePointer?
        try check(git_reference_lookup(&reference, handle, name), "git_reference_lookup")
        defer { git_reference_free(reference) }
        try check(git_reference_delete(reference), "git_reference_delete")
    }

    /// Creates a commit with an empty tree (a ledger entry), without touching any ref. The
    /// author and committer are `author` when given (a record copied onto another tip keeps who
    /// wrote it and when), else `authorName` and `authorEmail` now.
    public func commitWithEmptyTree(
        message: String, parents: [ObjectID], authorName: String, authorEmail: String,
        author: Signature? = nil
    ) throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, nil), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        var treeID = git_oid()
        try check(git_treebuilder_write(&treeID, builder), "git_treebuilder_write")
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeID), "git_tree_lookup")
        defer { git_tree_free(tree) }
        var signature: UnsafeMutablePointer<git_signature>?
        if let author {
            try check(git_signature_new(&signature, author.name, author.email, author.time, author.offsetMinutes), "git_signature_new")
        } else {
            try check(git_signature_now(&signature, authorName, authorEmail), "git_signature_now")
        }
        defer { git_signature_free(signature) }
        var parentObjects: [OpaquePointer?] = []
        defer { parentObjects.forEach { git_commit_free($0) } }
        for parent in parents {
            var oid = parent.oid
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
            parentObjects.append(commit)
        }
        var out = git_oid()
        let rc = parentObjects.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&out, handle, nil, signature, signature, "UTF-8", message, tree, buffer.count, buffer.baseAddress)
        }
        try check(rc, "git_commit_create")
        return ObjectID(out)
    }

    /// A commit's full message and author.
    public func commitMessage(_ id: ObjectID) throws(GitError) -> (message: String, author: Signature) {
        var oid = id.oid
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        let author = git_commit_author(commit)!.pointee
        return (
            message,
            Signature(
                name: String(cString: author.name), email: String(cString: author.email),
                time: author.when.time, offsetMinutes: author.when.offset)
        )
    }

    public func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(GitError) -> String? {
        let walked: [CommitSummary]
        do { walked = try commits(from: tip, excluding: base, limit: 100_000) } catch { return "\(tip.short): \(error.message)" }
        for commit in walked {
            do { _ = try commitMessage(commit.id) } catch { return "\(commit.id.short): \(error.message)" }
        }
        return nil
    }

    /// The bare repository at `path`, created when there is none.
    public static func openOrCreateBare(at path: String) throws(GitError) -> Repository {
        if let existing = try? Repository.open(at: path) { return existing }
        LibGit2.initialize()
        var out: OpaquePointer?
        try check(git_repository_init(&out, path, 1), "git_repository_init")
        git_repository_free(out)
        return try Repository.open(at: path)
    }

    /// The identity git would commit with (`user.name`, `user.email`), if configured.
    public func defaultIdentity() -> (name: String, email: String)? {
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&signature, handle) == 0, let signature else {
            git_error_clear()
            return nil
        }
        defer { git_signature_free(signature) }
        return (String(cString: signature.pointee.name), String(cString: signature.pointee.email))
    }
}

/// Who made a commit, and when (seconds since 1970, and the offset of their time zone).
public struct Signature: Equatable, Sendable {
    public let name: String
    public let email: String
    public let time: Int64
    public let offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }
}

/// One commit, summarised for a plan or a report.
public struct CommitSummary: Equatable, Sendable {
    public let id: ObjectID
    public let summary: String
}

extension Repository {
    /// Commits reachable from `tip` and not from `base`, newest first, at most `limit`.
    public func commits(from tip: ObjectID, excluding base: ObjectID?, limit: Int) throws(GitError) -> [CommitSummary] {
        let walk = try revwalk(from: [tip], hiding: base, topological: false)
        defer { git_revwalk_free(walk) }
        var result: [CommitSummary] = []
        var oid = git_oid()
        while result.count < limit {
            let rc = git_revwalk_next(&oid, walk)
            if rc == GIT_ITEROVER.rawValue { break }
            try check(rc, "git_revwalk_next")
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
            let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
            git_commit_free(commit)
            result.append(CommitSummary(id: ObjectID(oid), summary: summary))
        }
        return result
    }

    /// The messages of the commits reachable from any of `tips`, at most `limit`: newest first,
    /// or with `topological`, every child before its parents (dates break ties only between
    /// branches: a date a commit claims cannot move it within a chain). Each commit is read once:
    /// `body` gets the message's bytes, as `git_commit_message` gives them, valid during the call
    /// only. For a whole ledger, one lookup per commit instead of `commits` and then
    /// `commitMessage` for each.
    public func forEachCommitMessage(
        from tips: [ObjectID], limit: Int, topological: Bool = false, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(GitError) {
        let walk = try revwalk(from: tips, hiding: nil, topological: topological)
        defer { git_revwalk_free(walk) }
        var oid = git_oid()
        var count = 0
        while count < limit {
            let rc = git_revwalk_next(&oid, walk)
            if rc == GIT_ITEROVER.rawValue { break }
            try check(rc, "git_revwalk_next")
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
            defer { git_commit_free(commit) }
            body(Self.messageBytes(of: commit))
            count += 1
        }
    }

    /// A revision walk from `tips`, hiding `base`; the caller frees it.
    private func revwalk(from tips: [ObjectID], hiding base: ObjectID?, topological: Bool) throws(GitError) -> OpaquePointer? {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "git_revwalk_new")
        do throws(GitError) {
            if topological {
                try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
            }
            for tip in tips {
                var tipOID = tip.oid
                try check(git_revwalk_push(walk, &tipOID), "git_revwalk_push")
            }
            if var baseOID = base?.oid { try check(git_revwalk_hide(walk, &baseOID), "git_revwalk_hide") }
        } catch {
            git_revwalk_free(walk)
            throw error
        }
        return walk
    }

    /// A commit's message as libgit2 holds it (no copy), valid while the commit is.
    private static func messageBytes(of commit: OpaquePointer?) -> UnsafeBufferPointer<UInt8> {
        let message = git_commit_message(commit).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) }
        var length = 0
        while let message, message[length] != 0 { length += 1 }
        return UnsafeBufferPointer(start: message, count: length)
    }

    /// The messages along the chain that ends at `tip` (each commit's one parent), newest first,
    /// at most `limit`, each commit read once; `body` gets the message's bytes, valid during the
    /// call only. Returns false, having stopped there, at a commit with more than one parent: the
    /// history is not a chain. On a chain this is the order of `commits(from:…, topological:
    /// true)`, which libgit2 gives only after reading every commit there is.
    public func forEachCommitMessageAlongChain(
        from tip: ObjectID, limit: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) throws(GitError) -> Bool {
        var oid = tip.oid
        var count = 0
        while count < limit {
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
            defer { git_commit_free(commit) }
            let parents = git_commit_parentcount(commit)
            if parents > 1 { return false }
            body(Self.messageBytes(of: commit))
            count += 1
            guard parents == 1, let parent = git_commit_parent_id(commit, 0) else { break }
            oid = parent.pointee
        }
        return true
    }

    /// What a reference peels to, using the peeled values of packed-refs when it can (no object
    /// read per tag).
    public func peeledCommit(ofReference name: String) throws(GitError) -> ObjectID? {
        var reference: OpaquePointer?
        let rc = git_reference_lookup(&reference, handle, name)
        if rc == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_reference_lookup")
        defer { git_reference_free(reference) }
        var object: OpaquePointer?
        let peel = git_reference_peel(&object, reference, GIT_OBJECT_COMMIT)
        if peel == GIT_EPEEL.rawValue || peel == GIT_EINVALIDSPEC.rawValue || peel == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(peel, "git_reference_peel")
        defer { git_object_free(object) }
        return ObjectID(git_object_id(object).pointee)
    }
}

/// "Is X an ancestor of this head?" for many X, from one walk of the head's history: each
/// question walks on only until X is seen, so a push of 10k tags on main walks main's history
/// once instead of once per tag (`git_graph_descendant_of` re-reads every commit per call).
public final class AncestorWalk {
    private let repository: Repository
    private let walk: OpaquePointer
    private var seen: Set<ObjectID> = []
    private var exhausted = false

    init(repository: Repository, head: ObjectID) throws(GitError) {
        self.repository = repository
        var out: OpaquePointer?
        try check(git_revwalk_new(&out, repository.handle), "git_revwalk_new")
        walk = out!
        var oid = head.oid
        do {
            try check(git_revwalk_push(walk, &oid), "git_revwalk_push")
        } catch {
            git_revwalk_free(walk)
            throw error
        }
    }

    deinit {
        git_revwalk_free(walk)
    }

    /// Whether `id` is the head or one of its ancestors.
    public func contains(_ id: ObjectID) throws(GitError) -> Bool {
        if seen.contains(id) { return true }
        while !exhausted {
            var oid = git_oid()
            let rc = git_revwalk_next(&oid, walk)
            if rc == GIT_ITEROVER.rawValue {
                exhausted = true
                break
            }
            try check(rc, "git_revwalk_next")
            let next = ObjectID(oid)
            seen.insert(next)
            if next == id { return true }
        }
        return false
    }
}

extension Repository {
    /// A walk of `head`'s history that answers ancestry questions about it (not in a shallow
    /// repository, whose history stops early: use `isAncestor`).
    public func ancestorWalk(from head: ObjectID) throws(GitError) -> AncestorWalk {
        try AncestorWalk(repository: self, head: head)
    }
}
