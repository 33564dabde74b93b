import Foundation
import Git

/// The release tags a push creates beside a floating tag, as `pre-receive` allowed them, kept for
/// the `reference-transaction` hook of the same push.
///
/// git writes the refs of a push that is not `--atomic` one transaction at a time, in the order
/// the client sent them, and a client sends the refs the server already has first: the move of
/// `v7` comes before the creation of the `v7.2.0` it follows. Judged alone, the move would be
/// refused; judged with the release tags the push has yet to write (listed here, and still
/// absent), it gets the verdict `pre-receive` gave the whole push.
///
/// One file per receiving git process, `release-guardian.pending.<pid>` in the repository:
/// written by `pre-receive` before any ref is, removed by a later `pre-receive` once that process
/// is gone.
enum PendingReleases {
    static let filePrefix = "release-guardian.pending."

    /// Keeps the release tags `updates` creates when they come with a floating tag (nothing
    /// otherwise), for git process `owner`; clears what finished pushes left.
    static func record(_ updates: [RefUpdate], settings: Settings, directory: String, owner: pid_t = TransactionLock.gitProcess()) {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(filePrefix) {
            if let pid = pid_t(name.dropFirst(filePrefix.count)), pid == owner || !TransactionLock.isRunning(pid) {
                unlink(base + name)
            }
        }
        let kinds = updates.map { ($0, RefKind($0.ref, settings: settings)) }
        guard kinds.contains(where: { if case .tag(.floating) = $0.1 { !$0.0.isDeletion } else { false } }) else { return }
        let lines = kinds.compactMap { update, kind -> String? in
            guard update.isCreation, case .tag(.release) = kind, let new = update.newID else { return nil }
            return "\(new.hex) \(update.ref)\n"
        }
        guard !lines.isEmpty else { return }
        let path = base + filePrefix + String(owner)
        try? lines.joined().write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The creations `pre-receive` allowed in git process `owner`'s push, as updates.
    static func recorded(directory: String, owner: pid_t = TransactionLock.gitProcess()) -> [RefUpdate] {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        guard let text = try? String(contentsOfFile: base + filePrefix + String(owner), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, let id = ObjectID(hex: String(fields[0])) else { return nil }
            return RefUpdate(ref: String(fields[1]), oldID: nil, newID: id)
        }
    }
}
