import CLibGit2
@_exported import GitFiles

extension ObjectID {
    init(_ oid: git_oid) {
        self = withUnsafeBytes(of: oid.id) { ObjectID(bytes: $0) }
    }

    /// The id as libgit2 takes it.
    var oid: git_oid {
        var oid = git_oid()
        let bytes = bytes
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }
}
