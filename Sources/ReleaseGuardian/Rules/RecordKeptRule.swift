import Git

/// The refs rollbacks keep on the source remote: `refs/release-guardian/backup/…` (what a
/// rollback overwrote, sometimes the only copy of a commit that ran in prod) and
/// `refs/release-guardian/ledger` (the team's record of deployments).
enum RecordRef: Equatable {
    /// `wellFormed`: named as release-guardian names backups, `backup/<env>/<UTC time>[-N]`.
    case backup(wellFormed: Bool)
    case ledger

    init?(_ ref: String) {
        if ref == "refs/release-guardian/ledger" {
            self = .ledger
        } else if ref.hasPrefix("refs/release-guardian/backup/") || ref == "refs/release-guardian/backup" {
            let parts = ref.dropFirst("refs/release-guardian/backup/".count).split(separator: "/", omittingEmptySubsequences: false)
            self = .backup(wellFormed: parts.count >= 2 && parts.dropLast().allSatisfy { !$0.isEmpty } && Self.isTimestamp(parts.last!))
        } else {
            return nil
        }
    }

    /// `20261123T101500Z`, or with a `-2`, `-3`… suffix.
    static func isTimestamp(_ name: Substring) -> Bool {
        let parts = name.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let time = Array(parts[0].utf8)
        guard time.count == 16, time[8] == UInt8(ascii: "T"), time[15] == UInt8(ascii: "Z"),
            (time[0..<8] + time[9..<15]).allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return false }
        return parts.count == 1 || (!parts[1].isEmpty && parts[1].utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
    }
}

/// `record-kept`: a backup ref is written once, never moved or deleted; the ledger only grows
/// (fast-forward), never rewritten or deleted. Nothing a rollback kept can be lost by a push.
struct RecordKeptRule: Rule {
    func check(_ update: GuardedUpdate, in context: PolicyContext) throws(PolicyError) -> Violation? {
        guard case .record(let record) = update.kind else { return nil }
        let ref = update.update.ref
        switch record {
        case .backup(let wellFormed):
            if !wellFormed, !update.update.isDeletion {
                return Violation(
                    rule: .recordKept, ref: ref,
                    message:
                        "\(ref) is not named as release-guardian names backups (refs/release-guardian/backup/<environment>/<UTC time>); such a ref could block the next backup's name.",
                    fix: "Do not push it; release-guardian writes the backups of a rollback itself.")
            }
            guard update.update.oldID != nil else { return nil }
            return Violation(
                rule: .recordKept, ref: ref,
                message: "\(ref) keeps what a rollback overwrote; this push would \(update.update.isDeletion ? "delete" : "move") it.",
                fix: "Do not push it: backups are written once and kept. A new backup gets a new name (release-guardian does this).")
        case .ledger:
            if update.update.isDeletion {
                return Violation(
                    rule: .recordKept, ref: ref, message: "this push deletes the deployment ledger.",
                    fix: "Do not push the deletion: the ledger is the team's record of deployments.")
            }
            if try context.isFastForward(update).fastForward {
                // Every commit this push adds must be one the next rollback can read and build on.
                guard let new = update.update.newID,
                    let unreadable = try context.firstUnreadableCommit(from: new, excluding: update.update.oldID)
                else { return nil }
                return Violation(
                    rule: .recordKept, ref: ref,
                    message:
                        "this push adds a commit to the deployment ledger that cannot be read (\(unreadable)); every later record would have to build on it.",
                    fix: "Do not push it: release-guardian appends the ledger's records itself.")
            }
            return Violation(
                rule: .recordKept, ref: ref,
                message: "this push rewrites the deployment ledger: records after the common base would be lost.",
                fix:
                    "Let release-guardian share the ledger (it adds your records on top of the remote's): run the same command again, or `git fetch \(shellQuoted(context.remoteName)) \(shellQuoted(ref))` and append onto it."
            )
        }
    }
}
