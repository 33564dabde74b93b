import CLibGit2

/// Reading a commit's files from its tree, nothing checked out.
extension Repository {
    /// A file of a commit's tree.
    public struct TreeFile: Equatable, Hashable, Sendable {
        /// From the root of the tree, components separated by `/`.
        public let path: String
        public let blob: ObjectID
        /// A symbolic link: its blob holds the link's target, not a file's content.
        public let isSymbolicLink: Bool

        public init(path: String, blob: ObjectID, isSymbolicLink: Bool = false) {
            self.path = path
            self.blob = blob
            self.isSymbolicLink = isSymbolicLink
        }

        /// The last component of the path.
        public var name: Substring { path.split(separator: "/").last ?? "" }
    }

    /// The files (blobs and symbolic links) of `commit`'s tree whose paths match one of
    /// `globs`, sorted by path. Only the directories a glob may reach are read; submodules are
    /// not entered. Throws `.notFound` when the commit or one of the trees is missing.
    public func files(at commit: ObjectID, matching globs: [PathGlob]) throws(GitError) -> [TreeFile] {
        guard !globs.isEmpty else { return [] }
        var found: [TreeFile] = []
        try withTree(of: commit) { (tree) throws(GitError) in
            try collect(in: tree!, prefix: "", states: globs.map(\.start), globs: globs, into: &found)
        }
        return found.sorted { $0.path < $1.path }
    }

    private func collect(
        in tree: OpaquePointer, prefix: String, states: [Set<Int>], globs: [PathGlob], into found: inout [TreeFile]
    ) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            let next = zip(globs, states).map { glob, state in glob.advance(state, over: name) }
            let mode = git_tree_entry_filemode(entry)
            switch mode {
            case GIT_FILEMODE_TREE:
                guard zip(globs, next).contains(where: { $0.mayDescend($1) }) else { continue }
                var subtree: OpaquePointer?
                try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "git_tree_lookup")
                defer { git_tree_free(subtree) }
                try collect(in: subtree!, prefix: prefix + name + "/", states: next, globs: globs, into: &found)
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE, GIT_FILEMODE_LINK:
                guard zip(globs, next).contains(where: { $0.accepts($1) }) else { continue }
                found.append(
                    TreeFile(
                        path: prefix + name, blob: ObjectID(git_tree_entry_id(entry).pointee), isSymbolicLink: mode == GIT_FILEMODE_LINK))
            default:
                continue  // a submodule's commit
            }
        }
    }

    /// A blob read up to a size.
    public enum BlobContent: Equatable, Sendable {
        case content([UInt8])
        /// Larger than the limit: left unread (only its header was).
        case tooLarge(size: Int)
    }

    /// The bytes of a blob, unless it is larger than `limit`: its size comes from the object's
    /// header first, so a large file is never inflated. Throws `.notFound` when it is missing.
    public func blobContent(_ id: ObjectID, limit: Int) throws(GitError) -> BlobContent {
        var oid = id.oid
        var database: OpaquePointer?
        try check(git_repository_odb(&database, handle), "git_repository_odb")
        defer { git_odb_free(database) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        try check(git_odb_read_header(&size, &type, database, &oid), "git_odb_read_header")
        guard type == GIT_OBJECT_BLOB else {
            throw GitError(code: .other(-1), message: "object \(id.hex) is not a blob", function: "git_odb_read_header")
        }
        if size > limit { return .tooLarge(size: size) }
        var blob: OpaquePointer?
        try check(git_blob_lookup(&blob, handle, &oid), "git_blob_lookup")
        defer { git_blob_free(blob) }
        let count = Int(git_blob_rawsize(blob))
        guard count > 0, let raw = git_blob_rawcontent(blob) else { return .content([]) }
        return .content(Array(UnsafeRawBufferPointer(start: raw, count: count)))
    }
}
