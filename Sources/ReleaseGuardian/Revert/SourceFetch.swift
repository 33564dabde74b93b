import Foundation
import Git

/// Step 1 of a deployment or a rollback: bring the source remote's branches and tags here.
struct SourceFetch {
    let repository: Repository
    let reader: RepositoryReader
    let transport: TransportOptions
    let log: (String) -> Void

    /// `git fetch --tags --prune` for what changed only: libgit2 1.5's fetch updates every one of
    /// 100k tags one by one (seconds), so the remote's refs are compared with ours first and
    /// only the branches and tags that differ are fetched; gone branches are pruned.
    func run(_ name: String) throws(RevertError) {
        let origin = try Remote.named(name, in: repository)
        let tracking = "\(RefName.remotesPrefix)\(name)/"
        let ours = try read { () throws(ReadError) in
            try reader.referenceValues(under: RefName.tagsPrefix).merging(reader.referenceValues(under: tracking)) { a, _ in a }
        }
        var stale: [String] = []
        var refspecs: [String] = []
        do throws(RemoteError) {
            let advertised = try origin.heads(options: transport)
            var branches: Set<String> = []
            for head in advertised where !head.name.hasSuffix("^{}") {
                if let branch = RefName.branchName(of: head.name) {
                    let local = tracking + branch
                    branches.insert(local)
                    if ours[local] != head.id { refspecs.append("+\(head.name):\(local)") }
                } else if head.name.hasPrefix(RefName.tagsPrefix), ours[head.name] != head.id {
                    refspecs.append("+\(head.name):\(head.name)")
                }
            }
            if !refspecs.isEmpty { try origin.fetch(refspecs, options: transport) }
            stale = ours.keys.filter { $0.hasPrefix(tracking) && !branches.contains($0) && !$0.hasSuffix("/HEAD") }
        } catch {
            throw .remote(step: "fetching \(name)", error, changed: [])
        }
        try git { () throws(GitError) in for ref in stale { try repository.deleteReference(ref) } }
        log(
            "1. Fetched \(name) (\(origin.displayURL)) with tags: \(refspecs.count) ref\(refspecs.count == 1 ? "" : "s") changed, \(stale.count) pruned."
        )
    }

    private func git<T>(_ body: () throws(GitError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .git(error) }
    }

    private func read<T>(_ body: () throws(ReadError) -> T) throws(RevertError) -> T {
        do { return try body() } catch { throw .read(error) }
    }
}
