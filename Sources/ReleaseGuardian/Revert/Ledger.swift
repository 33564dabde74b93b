import Foundation
import Git

/// The deployment ledger: one commit per deployment on `refs/release-guardian/ledger`, its
/// message a JSON record, shared through the source remote so the whole team sees it.
struct Ledger {
    static let ref = "refs/release-guardian/ledger"
    /// Where the source remote's ledger is fetched to before adding to it.
    static let remoteCopy = "refs/release-guardian/remote-ledger"

    let repository: Repository
    let transport: TransportOptions

    struct Entry: Encodable {
        struct Target: Encodable {
            let target: String
            let before: String?
            let after: String
        }

        let action = "revert-to"
        let environment: String
        let tag: String
        let commit: String
        let targets: [Target]
        let who: String
        let when: String
        let reason: String?
        let backups: [String]
    }

    /// Records the outcome here and on the source remote; returns where it went. A failure to
    /// share it is reported, never fatal: the deployment itself is done.
    func record(_ outcome: RevertOutcome) -> String {
        let plan = outcome.plan
        let entry = Entry(
            environment: plan.environment, tag: plan.tag, commit: plan.commit.hex,
            targets: plan.targets.map { Entry.Target(target: $0.target.description, before: $0.current?.hex, after: plan.commit.hex) },
            who: outcome.who, when: ISO8601DateFormatter().string(from: outcome.when), reason: plan.request.reason,
            backups: outcome.backups.map(\.ref))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let message = "revert-to \(plan.tag) on \(plan.environment)\n\n\(json)\n"
        let sourceRemote = plan.request.sourceRemote
        do {
            let origin = try Remote(sourceRemote, in: repository)
            var fetched = true
            do {
                try origin.fetch(["+\(Self.ref):\(Self.remoteCopy)"], options: transport)
            } catch {
                fetched = false
            }
            let remoteTip = fetched ? try repository.target(ofReference: Self.remoteCopy) : nil
            let parent = try remoteTip ?? repository.target(ofReference: Self.ref)
            let identity = repository.defaultIdentity() ?? ("release-guardian", "release-guardian@localhost")
            let commit = try repository.commitWithEmptyTree(message: message, parents: parent.map { [$0] } ?? [],
                                                           authorName: identity.name, authorEmail: identity.email)
            try repository.setReference(Self.ref, to: commit, force: true, message: "release-guardian: ledger")
            do {
                try origin.push(["\(Self.ref):\(Self.ref)"], lease: [Self.ref: remoteTip], options: transport)
                return "Recorded in the ledger \(Self.ref) here and on \(sourceRemote)."
            } catch {
                return "Recorded in the ledger \(Self.ref) here; could not share it on \(sourceRemote) (\(error)): push it with `git push \(sourceRemote) \(Self.ref)`."
            }
        } catch {
            return "Could not record the deployment in the ledger (\(error)); the report below is the record."
        }
    }
}
