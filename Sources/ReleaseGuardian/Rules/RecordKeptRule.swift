import Git

/// The refs rollbacks keep on the source remote: `refs/release-guardian/backup/…` (what a
/// rollback overwrote, sometimes the only copy of a commit that ran in prod) and
/// `refs/release-guardian/ledger` (the team's record of deployments).
enum RecordRef: Equatable {
    case backup
    case ledger

    init?(_ ref: String) {
        if ref == "refs/release-guardian/ledger" {
            self = .ledger
        } else if ref.hasPrefix("refs/release-guardian/backup/") {
            self = .backup
        } else {
            return nil
        }
    }
}

/// `record-kept`: a backup ref is written once, never moved or deleted; the ledger only grows
/// (fast-forward), never rewritten or deleted. Nothing a rollback kept can be lost by a push.
struct RecordKeptRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .record(let record) = update.kind else { return nil }
        let ref = update.update.ref
        switch record {
        case .backup:
            guard update.update.oldID != nil else { return nil }
            return Violation(
                rule: .recordKept, ref: ref,
                message: "\(ref) keeps what a rollback overwrote; this push would \(update.update.isDeletion ? "delete" : "move") it.",
                fix: "Do not push it: backups are written once and kept. A new backup gets a new name (release-guardian does this).")
        case .ledger:
            if update.update.isDeletion {
                return Violation(rule: .recordKept, ref: ref, message: "this push deletes the deployment ledger.",
                                 fix: "Do not push the deletion: the ledger is the team's record of deployments.")
            }
            guard try !context.isFastForward(update).fastForward else { return nil }
            return Violation(
                rule: .recordKept, ref: ref,
                message: "this push rewrites the deployment ledger: records after the common base would be lost.",
                fix: "Let release-guardian share the ledger (it adds your records on top of the remote's): run the same command again, or `git fetch \(shellQuoted(context.remoteName)) \(shellQuoted(ref))` and append onto it.")
        }
    }
}
