import Git
import TestSupport
@testable import ReleaseGuardian

/// The released world (a clone and its bare origin, v1.0.0 released on main and pushed), with
/// the policy applied to it in-process.
final class PolicyFixture: ReleaseWorld {
    init() throws {
        try super.init(.released)
    }

    /// Applies the policy to updates given as (remote ref, old id or nil, new id or nil).
    func evaluate(_ updates: [(String, String?, String?)], settings: Settings = Settings(),
                  vantage: Vantage = .client(remote: "origin"), withoutLibgit2: Bool = false) throws -> [Violation] {
        let repository: any RepositoryReading = withoutLibgit2
            ? LooseRepositoryReader(commonDirectory: work + "/.git") : try Repository.open(at: work)
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
