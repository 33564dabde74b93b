import Git
import GitFiles
import TestSupport
@testable import ReleaseGuardian

/// A developer's clone and its bare origin, with v1.0.0 released on main and pushed.
final class PolicyFixture {
    let scratch: Scratch
    let work: String
    let origin: String
    let firstCommit: String

    init() throws {
        LibGit2.ignoreUserAndSystemConfiguration()
        scratch = try Scratch()
        origin = try scratch.bareRepository()
        work = try scratch.repository()
        try scratch.git("remote", "add", "origin", origin, in: work)
        firstCommit = try scratch.commit("first", in: work)
        try scratch.tag("v1.0.0", in: work)
        try scratch.git("push", "-q", "origin", "main", "v1.0.0", in: work)
    }

    func rev(_ name: String) throws -> String {
        try scratch.git("rev-parse", name, in: work)
    }

    func commit(_ message: String) throws -> String {
        try scratch.commit(message, in: work)
    }

    /// Tags HEAD (or `target`) locally and returns the tag's object id.
    func tag(_ name: String, at target: String = "HEAD", annotated: Bool = true) throws -> String {
        try scratch.tag(name, in: work, at: target, annotated: annotated)
        return try rev("refs/tags/\(name)")
    }

    /// Forgets a tag made for one check, so the next check does not see it as existing.
    func deleteLocalTag(_ name: String) throws {
        try scratch.git("tag", "-d", name, in: work)
    }

    /// Applies the policy to updates given as (remote ref, old id or nil, new id or nil).
    /// Through libgit2 alone.
    func evaluate(_ updates: [(String, String?, String?)], settings: Settings = Settings(),
                  vantage: Vantage = .client(remote: "origin")) throws -> [Violation] {
        try evaluate(updates, settings: settings, vantage: vantage, in: LibGit2Reader(try Repository.open(at: work)))
    }

    /// Through the hook's reader: the files first, libgit2 for what they cannot answer; and
    /// whether libgit2 was needed.
    func evaluateFileFirst(_ updates: [(String, String?, String?)], settings: Settings = Settings(),
                           vantage: Vantage = .client(remote: "origin")) throws -> (violations: [Violation], usedLibgit2: Bool) {
        guard let layout = RepositoryLayout.find(from: work, environment: { _ in nil }) else { throw FixtureError.noLayout }
        let work = work
        let reader = RepositoryReader(files: RepositoryFiles(layout: layout)) { () throws(GitError) in try Repository.open(at: work) }
        return (try evaluate(updates, settings: settings, vantage: vantage, in: reader), reader.hasOpenedLibgit2)
    }

    private func evaluate(_ updates: [(String, String?, String?)], settings: Settings, vantage: Vantage,
                          in repository: any RepositoryReading) throws -> [Violation] {
        let refUpdates = updates.map { ref, old, new in
            RefUpdate(ref: ref, oldID: old.flatMap { ObjectID(hex: $0) }, newID: new.flatMap { ObjectID(hex: $0) })
        }
        return try Policy(settings: settings).evaluate(refUpdates, in: repository, vantage: vantage)
    }

    /// The rule ids that refuse the updates.
    func rules(_ updates: [(String, String?, String?)], settings: Settings = Settings(),
               vantage: Vantage = .client(remote: "origin")) throws -> [RuleID] {
        try evaluate(updates, settings: settings, vantage: vantage).map(\.rule)
    }

    /// A new tag pushed for the first time.
    func newTag(_ name: String, _ id: String) -> (String, String?, String?) {
        ("refs/tags/\(name)", nil, id)
    }
}

enum FixtureError: Error { case noLayout }
