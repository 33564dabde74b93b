import CLibGit2

/// An open git repository. Owns its libgit2 handle.
public final class Repository {
    let handle: OpaquePointer
    private var objectDatabase: OpaquePointer?

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        if let objectDatabase { git_odb_free(objectDatabase) }
        git_repository_free(handle)
    }

    /// Opens the repository that contains `path`, searching upwards as `git` does; or, as git
    /// does, the one `GIT_DIR` names (with `GIT_WORK_TREE`), which the hook's plain reader
    /// honours too: both paths of a check must read the same repository.
    public static func discover(from path: String) throws(GitError) -> Repository {
        if let gitDirectory = ProcessEnvironment.value("GIT_DIR"), !gitDirectory.isEmpty {
            return try openFromEnvironment(fallback: path)
        }
        LibGit2.initialize()
        var out: OpaquePointer?
        try check(git_repository_open_ext(&out, path, 0, nil), "git_repository_open_ext")
        return Repository(handle: out!)
    }

    /// Opens the repository at exactly `path` (a working tree or a bare repository).
    public static func open(at path: String) throws(GitError) -> Repository {
        LibGit2.initialize()
        var out: OpaquePointer?
        try check(git_repository_open(&out, path), "git_repository_open")
        return Repository(handle: out!)
    }

    /// Opens the repository a git hook runs in, as git describes it in the environment
    /// (`GIT_DIR`, and during `pre-receive` the quarantine `GIT_OBJECT_DIRECTORY` and
    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES` that hold the objects being pushed).
    ///
    /// libgit2 1.5 refuses `GIT_WORK_TREE` ("unimplemented"), which `git --work-tree=… push`
    /// hands its hooks: the work tree is set after opening instead, as git sets it: `GIT_WORK_TREE`,
    /// else `core.worktree` (libgit2 reads it), else, with `GIT_DIR` given, the directory git runs
    /// in. The file readers find the same work tree (`RepositoryLayout`).
    public static func openFromEnvironment(fallback path: String) throws(GitError) -> Repository {
        LibGit2.initialize()
        var out: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_FROM_ENV.rawValue
        let gitDirectory = ProcessEnvironment.value("GIT_DIR")
        let workTree = ProcessEnvironment.value("GIT_WORK_TREE")
        // libgit2 reads the variable while opening; the process is single-threaded here.
        if workTree != nil { unsetenv("GIT_WORK_TREE") }
        let rc = git_repository_open_ext(&out, gitDirectory == nil ? path : nil, flags, nil)
        if let workTree { setenv("GIT_WORK_TREE", workTree, 1) }
        try check(rc, "git_repository_open_ext")
        let repository = Repository(handle: out!)
        if gitDirectory != nil, !repository.isBare {
            let configured = try? repository.configuration().string("core.worktree")
            if let directory = workTree.map({ $0.hasPrefix("/") ? $0 : path + "/" + $0 }) ?? (configured == nil ? path : nil) {
                try check(git_repository_set_workdir(repository.handle, directory, 0), "git_repository_set_workdir")
            }
        }
        return repository
    }

    public var isBare: Bool { git_repository_is_bare(handle) == 1 }

    public var isShallow: Bool { git_repository_is_shallow(handle) == 1 }

    /// The working tree's root with a trailing slash, or nil for a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(handle).map { String(cString: $0) }
    }

    /// The `.git` directory (or the bare repository itself), with a trailing slash.
    public var gitDirectory: String { String(cString: git_repository_path(handle)) }

    /// The directory shared by all worktrees, where hooks and common config live.
    public var commonDirectory: String { String(cString: git_repository_commondir(handle)) }

    // MARK: References

    /// Calls `body` with the name of each tag (without `refs/tags/`) as libgit2's reference
    /// iterator gives them: the answer the file readers are held to.
    public func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(GitError) {
        try forEachReferenceName(matching: "refs/tags/*") { name in
            var bytes = Array(name.utf8.dropFirst("refs/tags/".utf8.count))
            bytes.withUnsafeBufferPointer { body($0) }
        }
    }

    /// Calls `body` with the name of each reference matching `glob` (e.g. `refs/tags/*`), without
    /// loading the reference objects.
    public func forEachReferenceName(matching glob: String, _ body: (String) throws(GitError) -> Void) throws(GitError) {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_glob_new(&iterator, handle, glob), "git_reference_iterator_glob_new")
        defer { git_reference_iterator_free(iterator) }
        var name: UnsafePointer<CChar>?
        while true {
            let rc = git_reference_next_name(&name, iterator)
            if rc == GIT_ITEROVER.rawValue { return }
            try check(rc, "git_reference_next_name")
            try body(String(cString: name!))
        }
    }

    /// The object a reference points at (symbolic references are followed), or nil if there is
    /// no such reference.
    public func target(ofReference name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, name)
        if rc == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_reference_name_to_id")
        return ObjectID(oid)
    }

    /// The full name git would pick for a short one (`main` → `refs/heads/main`, `v1.0.0` →
    /// `refs/tags/v1.0.0`), or nil when nothing matches.
    public func fullReferenceName(for shorthand: String) throws(GitError) -> String? {
        var reference: OpaquePointer?
        let rc = git_reference_dwim(&reference, handle, shorthand)
        if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EINVALIDSPEC.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_reference_dwim")
        defer { git_reference_free(reference) }
        return String(cString: git_reference_name(reference))
    }

    /// The branch HEAD points at (`refs/heads/main`), or nil when HEAD is detached or unborn.
    public func headBranch() throws(GitError) -> String? {
        var reference: OpaquePointer?
        let rc = git_reference_lookup(&reference, handle, "HEAD")
        if rc == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_reference_lookup")
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC else { return nil }
        return String(cString: git_reference_symbolic_target(reference))
    }

    /// libgit2's own answer, kept for the test that holds the two equal.
    public static func libgit2IsValidReferenceName(_ name: String) -> Bool {
        LibGit2.initialize()
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }

    // MARK: Objects

    public typealias ObjectKind = GitFiles.ObjectKind

    private func odb() throws(GitError) -> OpaquePointer {
        if let objectDatabase { return objectDatabase }
        var out: OpaquePointer?
        try check(git_repository_odb(&out, handle), "git_repository_odb")
        objectDatabase = out
        return out!
    }

    /// Whether the object is in the repository's object database.
    public func contains(_ id: ObjectID) throws(GitError) -> Bool {
        var oid = id.oid
        return git_odb_exists(try odb(), &oid) == 1
    }

    /// The kind of an object, read from its header only. Throws `.notFound` if it is missing.
    public func kind(of id: ObjectID) throws(GitError) -> ObjectKind {
        var oid = id.oid
        var size = 0
        var type = GIT_OBJECT_INVALID
        try check(git_odb_read_header(&size, &type, try odb(), &oid), "git_odb_read_header")
        switch type {
        case GIT_OBJECT_COMMIT: return .commit
        case GIT_OBJECT_TREE: return .tree
        case GIT_OBJECT_BLOB: return .blob
        case GIT_OBJECT_TAG: return .tag
        default: return .other
        }
    }

    /// The commit an object peels to (following annotated tags), or nil when it peels to
    /// something else (a tree or a blob). Throws `.notFound` if the object is missing.
    public func peeledCommit(of id: ObjectID) throws(GitError) -> ObjectID? {
        var oid = id.oid
        var object: OpaquePointer?
        try check(git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY), "git_object_lookup")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        let rc = git_object_peel(&peeled, object, GIT_OBJECT_COMMIT)
        if rc == GIT_EPEEL.rawValue || rc == GIT_EINVALIDSPEC.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_object_peel")
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled).pointee)
    }

    /// When an object was made, in seconds since 1970: a tag's tagger time, a commit's committer
    /// time; nil for other objects (or a tag without a tagger).
    public func creationTime(of id: ObjectID) throws(GitError) -> Int64? {
        var oid = id.oid
        switch try kind(of: id) {
        case .tag:
            var tag: OpaquePointer?
            try check(git_tag_lookup(&tag, handle, &oid), "git_tag_lookup")
            defer { git_tag_free(tag) }
            return git_tag_tagger(tag).map { $0.pointee.when.time }
        case .commit:
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
            defer { git_commit_free(commit) }
            return git_commit_time(commit)
        default:
            return nil
        }
    }

    /// `body` with the root tree of `commit`, freed after.
    func withTree<T>(of commit: ObjectID, _ body: (OpaquePointer?) throws(GitError) -> T) throws(GitError) -> T {
        var oid = commit.oid
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, handle, &oid), "git_commit_lookup")
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), "git_commit_tree")
        defer { git_tree_free(tree) }
        return try body(tree)
    }

    /// The content of the file at `path` in the tree of `commit`, or nil if there is none.
    public func fileContent(_ path: String, at commit: ObjectID) throws(GitError) -> [UInt8]? {
        try withTree(of: commit) { (tree) throws(GitError) in try fileContent(path, in: tree) }
    }

    private func fileContent(_ path: String, in tree: OpaquePointer?) throws(GitError) -> [UInt8]? {
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, path)
        if rc == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(rc, "git_tree_entry_bypath")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, git_tree_entry_id(entry)), "git_blob_lookup")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard let raw = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    /// Whether `ancestor` is `commit` itself or reachable from it.
    ///
    /// libgit2 1.5 knows nothing of shallow clones: its graph walk fails at the first missing
    /// parent. In a shallow repository the walk is done here instead, and history beyond the
    /// shallow boundary counts as unknown: `false` then means "not reachable within the history
    /// this clone has".
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        if ancestor == commit { return true }
        if isShallow { return try isAncestorWithinPresentHistory(ancestor, of: commit) }
        var descendantOID = commit.oid
        var ancestorOID = ancestor.oid
        let rc = try check(git_graph_descendant_of(handle, &descendantOID, &ancestorOID), "git_graph_descendant_of")
        return rc == 1
    }

    private func isAncestorWithinPresentHistory(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        var seen: Set<ObjectID> = [commit]
        var pending = [commit]
        while let next = pending.popLast() {
            for parent in try parents(of: next) where !seen.contains(parent) {
                if parent == ancestor { return true }
                seen.insert(parent)
                if try contains(parent) { pending.append(parent) }
            }
        }
        return false
    }

    /// The ids of a commit's parents, as recorded in the commit (they may be absent from a
    /// shallow clone).
    public func parents(of commit: ObjectID) throws(GitError) -> [ObjectID] {
        var oid = commit.oid
        var object: OpaquePointer?
        try check(git_commit_lookup(&object, handle, &oid), "git_commit_lookup")
        defer { git_commit_free(object) }
        return (0..<git_commit_parentcount(object)).compactMap { index in
            git_commit_parent_id(object, index).map { ObjectID($0.pointee) }
        }
    }

    // MARK: Working tree

    /// Whether the ignore rules (`.gitignore` files, `info/exclude`, `core.excludesFile`) ignore
    /// `path`, relative to the working tree.
    public func isIgnored(_ path: String) throws(GitError) -> Bool {
        var ignored: Int32 = 0
        try check(git_ignore_path_is_ignored(&ignored, handle, path), "git_ignore_path_is_ignored")
        return ignored == 1
    }

    // MARK: Configuration

    /// A read-only snapshot of the repository's configuration (local, global, system).
    public func configuration() throws(GitError) -> Config {
        var out: OpaquePointer?
        try check(git_repository_config_snapshot(&out, handle), "git_repository_config_snapshot")
        return Config(handle: out!)
    }
}
