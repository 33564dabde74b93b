import Git

/// When tags were made, so that a tag can be judged against the tags that existed when it was
/// made (a CI re-run of an old release, a rollback to it), not against later releases.
enum TagHistory {
    /// Tags that spell the same or a higher version than `name` and were made at the same time
    /// or after it (tagger date, or commit date for a lightweight tag). Lower versions never make
    /// a rule fail, so their dates are not read.
    static func tagsMadeAfter(_ name: String, id: ObjectID, in repository: Repository) throws(GitError) -> Set<String> {
        guard let version = TagName.normalizedVersion(of: name), let created = try repository.creationTime(of: id) else { return [] }
        var later: Set<String> = []
        try repository.forEachReferenceName(matching: "refs/tags/*") { ref throws(GitError) in
            let other = String(ref.dropFirst("refs/tags/".count))
            guard other != name, let otherVersion = TagName.normalizedVersion(of: other), otherVersion >= version,
                  let otherID = try repository.target(ofReference: ref),
                  let otherCreated = try repository.creationTime(of: otherID), otherCreated >= created
            else { return }
            later.insert(other)
        }
        return later
    }
}
