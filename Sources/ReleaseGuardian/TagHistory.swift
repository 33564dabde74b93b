import Git

/// When tags were made, so that a tag can be judged against the tags that existed when it was
/// made (a CI re-run of an old release, a rollback to it), not against later releases.
enum TagHistory {
    /// Tags that spell the same or a higher version than `name` (of its component) and were made at the same time
    /// or after it (tagger date, or commit date for a lightweight tag). Lower versions never make
    /// a rule fail, so their dates are not read.
    static func tagsMadeAfter(
        _ name: String, id: ObjectID, naming: TagNaming, in repository: any RepositoryReading
    ) throws(ReadError) -> Set<String> {
        guard let spelled = TagName.spelledVersion(of: name, naming: naming), let created = try repository.creationTime(of: id) else {
            return []
        }
        let (component, version) = spelled
        // Names first (an ordinary lower vX.Y.Z is dismissed without a String), dates after.
        let plain = component == .plain ? ReleaseTagIndex.Plain(version) : nil
        var candidates: [String] = []
        try repository.forEachTagName { bytes in
            if let plain, let other = ReleaseTagIndex.plainRelease(bytes), other < plain { return }
            let other = String(decoding: bytes, as: UTF8.self)
            // Only the tags of the same component take part in its rules.
            guard other != name, let otherSpelled = TagName.spelledVersion(of: other, naming: naming),
                otherSpelled.component == component, otherSpelled.version >= version
            else { return }
            candidates.append(other)
        }
        var later: Set<String> = []
        for other in Set(candidates) {
            guard let otherID = try repository.target(ofReference: RefName.tag(other)),
                let otherCreated = try repository.creationTime(of: otherID), otherCreated >= created
            else { continue }
            later.insert(other)
        }
        return later
    }
}
