import Git

/// When tags were made, so that a tag can be judged against the tags that existed when it was
/// made (a CI re-run of an old release, a rollback to it), not against later releases.
enum TagHistory {
    /// Tags that spell the same or a higher version than `name` and were made at the same time
    /// or after it (tagger date, or commit date for a lightweight tag). Lower versions never make
    /// a rule fail, so their dates are not read.
    static func tagsMadeAfter(_ name: String, id: ObjectID, in repository: any RepositoryReading) throws(ReadError) -> Set<String> {
        guard let version = TagName.normalizedVersion(of: name), let created = try repository.creationTime(of: id) else { return [] }
        // Names first (an ordinary lower vX.Y.Z is dismissed without a String), dates after.
        let plain = ReleaseTagIndex.Plain(version)
        var candidates: [String] = []
        try repository.forEachTagName { bytes in
            if let plain, let other = ReleaseTagIndex.plainRelease(bytes), other < plain { return }
            let other = String(decoding: bytes, as: UTF8.self)
            guard other != name, let otherVersion = TagName.normalizedVersion(of: other), otherVersion >= version else { return }
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
