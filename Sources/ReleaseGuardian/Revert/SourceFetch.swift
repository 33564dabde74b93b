import Foundation
import Git
import GitFiles

/// Step 1 of a deployment or a rollback: bring the source remote's branches and tags here.
struct SourceFetch {
    let repository: Repository
    let reader: RepositoryReader
    let transport: TransportOptions
    let log: (String) -> Void

    /// `git fetch --tags --prune` for what changed only: libgit2 1.5's fetch updates every one of
    /// 100k tags one by one (seconds), so the remote's refs are compared with ours first and
    /// only the branches and tags that differ are fetched; gone branches are pruned.
    ///
    /// At 100k tags the comparison is the cost (beside the server's own: sending 200k lines):
    /// the advertisement is read in place (`Remote.advertisedRefs`: not parsed line by line by
    /// libgit2) and each ref compared as it arrives, while the server sends the rest, with ours
    /// read in place too (`ReferenceValues`: packed-refs and the advertisement are both sorted),
    /// peeled lines skipped, no `String` made but for what changed; and the fetch shows libgit2
    /// only the refs it fetches.
    /// Returns the ids origin advertises for the refs in `watching` (a ref it lacks has none):
    /// a tag only this clone has must not be deployed as a release.
    @discardableResult
    func run(_ name: String, watching: Set<String> = []) throws(RevertError) -> [String: ObjectID] {
        var watched: [String: ObjectID] = [:]
        let origin = try Remote.named(name, in: repository)
        let tracking = "\(RefName.remotesPrefix)\(name)/"
        var sources: Set<String> = []
        var refspecs: [String] = []
        var branches: Set<String> = []
        var stale: [String] = []
        var moved: [(tag: String, from: ObjectID, to: ObjectID)] = []
        // Names git itself would not take (`refs/tags/*`, a space, `..`): skipped, as git fetch does.
        var invalid: [String] = []
        var remoteError: RemoteError?
        try read { () throws(ReadError) in
            try reader.withReferenceValues(under: [RefName.tagsPrefix, tracking]) { ours throws(ReadError) in
                var readError: ReadError?
                do throws(RemoteError) {
                    try origin.advertisedRefs(options: transport) { ref, id in
                        guard readError == nil else { return }
                        do throws(ReadError) {
                            if !watching.isEmpty, !Bytes.hasSuffix(ref, "^{}") {
                                let name = String(decoding: ref, as: UTF8.self)
                                if watching.contains(name) { watched[name] = id }
                            }
                            // RefName.headsPrefix, .tagsPrefix, as bytes.
                            if Bytes.hasPrefix(ref, "refs/heads/") {
                                guard !Bytes.hasSuffix(ref, "^{}") else { return }
                                let local = tracking + String(decoding: ref[RefName.headsPrefix.utf8.count...], as: UTF8.self)
                                branches.insert(local)
                                guard try ours.value(of: local) != id else { return }
                                let source = String(decoding: ref, as: UTF8.self)
                                guard RefNameFormat.isValid(source) else { return invalid.append(source) }
                                sources.insert(source)
                                refspecs.append("+\(source):\(local)")
                            } else if Bytes.hasPrefix(ref, "refs/tags/"), !Bytes.hasSuffix(ref, "^{}") {
                                let current = try ours.value(of: ref)
                                guard current != id else { return }
                                let source = String(decoding: ref, as: UTF8.self)
                                guard RefNameFormat.isValid(source) else { return invalid.append(source) }
                                sources.insert(source)
                                refspecs.append("+\(source):\(source)")
                                if let current { moved.append((RefName.short(source), current, id)) }
                            }
                        } catch {
                            readError = error
                        }
                    }
                } catch {
                    remoteError = error
                    return
                }
                if let readError { throw readError }
                stale = try ours.names(under: tracking).filter { !branches.contains($0) && !$0.hasSuffix("/HEAD") }.sorted()
            }
        }
        if let remoteError { throw .remote(step: "fetching \(name)", remoteError, changed: []) }
        do throws(RemoteError) {
            // Tags only as named: libgit2's default would leave a tag that moved on origin as it is here.
            if !refspecs.isEmpty { try origin.fetch(refspecs, followingTags: false, onlyAdvertising: sources, options: transport) }
        } catch {
            throw .remote(step: "fetching \(name)", error, changed: [])
        }
        try git { () throws(GitError) in for ref in stale { try repository.deleteReference(ref) } }
        log(
            "1. Fetched \(name) (\(origin.displayURL)) with tags: \(refspecs.count) ref\(refspecs.count == 1 ? "" : "s") changed, \(stale.count) pruned."
        )
        if !invalid.isEmpty {
            log(
                "   Skipped \(invalid.count) ref\(invalid.count == 1 ? "" : "s") \(name) advertises under a name git refuses: \(invalid.prefix(3).map { String(reflecting: $0) }.joined(separator: ", "))."
            )
        }
        // A release tag is not meant to move: say so when one did on origin.
        for tag in moved.prefix(5) { log("   \(tag.tag) moved on \(name): \(tag.from.short) → \(tag.to.short) (fetched).") }
        if moved.count > 5 { log("   \(moved.count - 5) more tags moved on \(name) (fetched).") }
        return watched
    }

    private func git<T>(_ body: () throws(GitError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .git(error) }
    }

    private func read<T>(_ body: () throws(ReadError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .read(error) }
    }
}
