import Git
import GitFiles
import TestSupport
@testable import ReleaseGuardian

/// The released world (a clone and its bare origin, v1.0.0 released on main and pushed), with
/// the policy applied to it in-process.
final class PolicyFixture: ReleaseWorld {
    init() throws {
        try super.init(.released)
    }

    /// Applies the policy to updates given as (remote ref, old id or nil, new id or nil).
    /// Through libgit2 alone.
    func evaluate(
        _ updates: [(String, String?, String?)], settings: Settings = Settings(),
        vantage: Vantage = .client(remote: "origin")
    ) throws -> [Violation] {
        try evaluate(updates, settings: settings, vantage: vantage, in: LibGit2Reader(try Repository.open(at: work)))
    }

    /// Through the hook's reader: the files first, libgit2 for what they cannot answer; and
    /// whether libgit2 was needed.
    func evaluateFileFirst(
        _ updates: [(String, String?, String?)], settings: Settings = Settings(),
        vantage: Vantage = .client(remote: "origin")
    ) throws -> (violations: [Violation], usedLibgit2: Bool) {
        guard let layout = RepositoryLayout.find(from: work, environment: { _ in nil }) else { throw FixtureError.noLayout }
        let work = work
        let reader = RepositoryReader(files: RepositoryFiles(layout: layout)) { () throws(GitError) in try Repository.open(at: work) }
        return (try evaluate(updates, settings: settings, vantage: vantage, in: reader), reader.hasOpenedLibgit2)
    }

    private func evaluate(
        _ updates: [(String, String?, String?)], settings: Settings, vantage: Vantage,
        in repository: any RepositoryReading
    ) throws -> [Violation] {
        let refUpdates = updates.map { ref, old, new in
            RefUpdate(ref: ref, oldID: old.flatMap { ObjectID(hex: $0) }, newID: new.flatMap { ObjectID(hex: $0) })
        }
        return try Policy(settings: settings).evaluate(refUpdates, in: repository, vantage: vantage)
    }

    /// The rule ids that refuse the updates.
    func rules(
        _ updates: [(String, String?, String?)], settings: Settings = Settings(),
        vantage: Vantage = .client(remote: "origin")
    ) throws -> [RuleID] {
        try evaluate(updates, settings: settings, vantage: vantage).map(\.rule)
    }

    /// A new tag pushed for the first time.
    func newTag(_ name: String, _ id: String) -> (String, String?, String?) {
        ("refs/tags/\(name)", nil, id)
    }
}

enum FixtureError: Error { case noLayout }
