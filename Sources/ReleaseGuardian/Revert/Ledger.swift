import Foundation
import Git

/// One record of the deployment ledger: the JSON object of one ledger commit's message.
///
/// A deployment writes an intent (`outcome` "started") before it pushes and its outcome
/// (`done`, `failed`, `interrupted`) after, both with the same `id`: a run killed in between
/// leaves the intent, and the next run settles it. Records written before intents existed have
/// neither `id` nor `outcome`; they read as one finished deployment each.
public struct LedgerRecord: Codable, Sendable, Equatable {
    public struct Target: Codable, Sendable, Equatable {
        public var target: String
        public var before: String?
        public var after: String?
        /// `planned` (in an intent), `pushed`, `already there`, `failed`, `not changed`.
        public var result: String?
    }

    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var result: String
    }

    public enum Outcome: String, Sendable {
        case started, done, failed, interrupted
    }

    public var id: String?
    public var outcome: String?
    public var action: String
    public var environment: String
    public var ref: String?
    public var tag: String?
    public var version: String?
    public var commit: String
    public var targets: [Target]
    public var who: String
    public var when: String
    public var reason: String?
    public var backups: [String]?
    public var checks: [Check]?
    public var migrations: [String]?
    /// `host:pid` of the run that wrote an intent, to tell a run that died from one in progress.
    public var process: String?
    /// How an outcome was settled, when not by the run itself.
    public var note: String?

    /// The outcome; a record from before intents existed is a finished deployment.
    public var state: Outcome { outcome.flatMap(Outcome.init(rawValue:)) ?? .done }

    /// The first line of the ledger commit: `revert-to v1.0.0 on prod: done`.
    var title: String { "\(action) \(tag ?? ref ?? commit) on \(environment): \(state.rawValue)" }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The record in a ledger commit's message (`title`, a blank line, the JSON object).
    /// A message whose last `}` comes before its first `{` (`note } then {`) holds none.
    static func parse(message: String) -> LedgerRecord? {
        // After the title's blank line: a title may hold a `{` (a ref named `feature/a{b}`).
        let body = message.range(of: "\n\n").map { message[$0.upperBound...] } ?? message[...]
        guard let start = body.firstIndex(of: "{"), let end = body.lastIndex(of: "}"), start < end else { return nil }
        return try? JSONDecoder().decode(LedgerRecord.self, from: Data(message[start...end].utf8))
    }

    /// The same from the message's bytes, as a walk of the ledger hands them: read by
    /// `LedgerJSON` when it can tell, else by `parse(message:)`. The byte search for the blank
    /// line finds what `range(of:)` finds (it compares scalars, and a line feed has no other
    /// spelling); the one for the braces finds what the Character search finds when the bytes
    /// around them are ASCII (no grapheme cluster joins a brace to a neighbour), otherwise the
    /// message goes there whole. `LedgerJSONTests` hold the two to the same answers.
    static func parse(message bytes: UnsafeBufferPointer<UInt8>) -> LedgerRecord? {
        var bodyStart = 0
        for index in bytes.indices.dropLast() where bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
            bodyStart = index + 2
            break
        }
        let body = UnsafeBufferPointer(rebasing: bytes[bodyStart...])
        if let start = body.firstIndex(of: UInt8(ascii: "{")),
            let end = body.lastIndex(of: UInt8(ascii: "}")), start < end,
            start == 0 || body[start - 1] < 0x80, body[start + 1] < 0x80, body[end - 1] < 0x80,
            end + 1 == body.count || body[end + 1] < 0x80,
            case .known(let record) = LedgerJSON.record(UnsafeBufferPointer(rebasing: body[start...end]))
        {
            return record
        }
        return parse(message: String(decoding: bytes, as: UTF8.self))
    }
}

/// The deployment ledger: one commit per record on `refs/release-guardian/ledger`, shared
/// through the source remote so the whole team sees it. Records are only ever added: what this
/// clone wrote and the remote lacks is copied onto the remote's tip, never dropped.
public struct Ledger {
    public static let ref = "refs/release-guardian/ledger"
    /// Where the source remote's ledger is fetched to before adding to it.
    static let remoteCopy = "refs/release-guardian/remote-ledger"

    let repository: Repository
    let transport: TransportOptions
    let sourceRemote: String

    public init(repository: Repository, transport: TransportOptions, sourceRemote: String) {
        self.repository = repository
        self.transport = transport
        self.sourceRemote = sourceRemote
    }

    /// Adds `record` here, then shares the ledger on the source remote; returns where it went.
    /// A failure to share is reported, never fatal: the record stays here and goes to the remote
    /// with the next one.
    func append(_ record: LedgerRecord) -> String {
        let message = redacted("\(record.title)\n\n\(record.json)\n")
        do {
            let identity = Self.commitIdentity(repository.defaultIdentity())
            let parent = try repository.target(ofReference: Self.ref)
            let commit = try repository.commitWithEmptyTree(
                message: message, parents: parent.map { [$0] } ?? [],
                authorName: identity.name, authorEmail: identity.email)
            try repository.setReference(Self.ref, to: commit, force: true, message: "release-guardian: ledger")
        } catch {
            return "Could not record it in the ledger (\(error.message)); the report is the record."
        }
        do {
            try share()
            return "Recorded in the ledger \(Self.ref) here and on \(sourceRemote)."
        } catch {
            return
                "Recorded in the ledger \(Self.ref) here; could not share it on \(sourceRemote) (\(error)). It goes there with the next record, or now with a run of the same command."
        }
    }

    /// The committer identity for a record: `user.name`/`user.email` with what would break a
    /// commit header (line breaks, `<`, `>`) replaced, else release-guardian's own. A newline in
    /// `user.name` once made libgit2 write a commit no later read could parse.
    static func commitIdentity(_ identity: (name: String, email: String)?) -> (name: String, email: String) {
        func clean(_ text: String) -> String {
            String(text.map { $0.isNewline || $0 == "<" || $0 == ">" || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
                .trimmingCharacters(in: .whitespaces)
        }
        let name = identity.map { clean($0.name) } ?? ""
        let email = identity.map { clean($0.email) } ?? ""
        return (name.isEmpty ? "release-guardian" : name, email.isEmpty ? "release-guardian@localhost" : email)
    }

    enum ShareError: Error, CustomStringConvertible {
        case remote(RemoteError)
        case git(GitError)

        var description: String {
            switch self {
            case .remote(let error): TransportPolicy.explain(error)
            case .git(let error): error.message
            }
        }
    }

    /// Makes the source remote's ledger hold every record of ours: the records it lacks are
    /// copied, oldest first, onto its tip (each keeping its author and time), then pushed with
    /// a lease on that tip. Someone recording meanwhile breaks the lease: read again, retry.
    func share() throws(ShareError) {
        let origin: Remote
        do { origin = try Remote(sourceRemote, in: repository) } catch { throw .git(error) }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let remoteTip = try fetchRemoteTip(origin)
                guard let local = try repository.target(ofReference: Self.ref), local != remoteTip else { return }
                var tip = local
                if let remoteTip, try !repository.isAncestor(remoteTip, of: local) {
                    tip = try copy(unsharedFrom: local, onto: remoteTip)
                    try repository.setReference(Self.ref, to: tip, force: true, message: "release-guardian: ledger onto \(sourceRemote)'s")
                }
                try origin.push(["+\(Self.ref):\(Self.ref)"], lease: [Self.ref: remoteTip], options: transport)
                return
            } catch let error as RemoteError {
                let raced: Bool
                switch error {
                case .leaseBroken, .rejected: raced = true
                default: raced = false
                }
                if !raced || attempt >= 5 { throw .remote(error) }
            } catch let error as GitError {
                throw .git(error)
            } catch {
                throw .git(GitError(code: .other(-1), message: "\(error)", function: "share"))
            }
        }
    }

    /// Brings the source remote's records here (to be read by `records`), pushing nothing: what
    /// plans, dry runs and refusals read.
    func fetchRemote() throws(ShareError) {
        do {
            _ = try fetchRemoteTip(try Remote(sourceRemote, in: repository))
        } catch let error as RemoteError {
            throw .remote(error)
        } catch let error as GitError {
            throw .git(error)
        } catch {
            throw .git(GitError(code: .other(-1), message: "\(error)", function: "fetchRemote"))
        }
    }

    /// The remote's ledger tip, fetched when this clone lacks it (nil: the remote has none).
    /// It is fetched into a quarantine repository first and every new commit read there: a
    /// commit libgit2 cannot parse (anyone with push access can write one), once in this
    /// repository, would make every later push to that remote fail, the next rollback's backup
    /// included. Such a ledger is not built on; the rollback goes on and says so.
    private func fetchRemoteTip(_ origin: Remote) throws -> ObjectID? {
        let tip = try origin.heads(options: transport).first { $0.name == Self.ref }?.id
        if let tip, try !repository.contains(tip) {
            let path = repository.commonDirectory + "release-guardian/ledger-quarantine"
            do {
                let quarantine = try Repository.openOrCreateBare(at: path)
                try Remote(sameAs: origin, in: quarantine).fetch(["+\(Self.ref):\(Self.ref)"], options: transport)
                for commit in try quarantine.commits(from: tip, excluding: nil, limit: Int.max) {
                    _ = try quarantine.commitMessage(commit.id)
                }
            } catch {
                throw GitError(
                    code: .other(-1),
                    message:
                        "\(sourceRemote)'s ledger cannot be fetched or read (\(error)), so it is not built on; if a commit of it cannot be read, whoever owns \(sourceRemote) should reset \(Self.ref) there to its last readable commit",
                    function: "ledger")
            }
            try Remote(path, in: repository).fetch(["+\(Self.ref):\(Self.remoteCopy)"], options: transport)
        } else if let tip, try !reachesLocally(tip) {
            // The objects are here already (a clone that shares origin's), but no ref of ours
            // reaches them: the copy ref makes `records` read them.
            try repository.setReference(Self.remoteCopy, to: tip, force: true, message: "release-guardian: \(sourceRemote)'s ledger")
        }
        return tip
    }

    /// Whether this clone's ledger, or its copy of the remote's, holds `tip`.
    private func reachesLocally(_ tip: ObjectID) throws -> Bool {
        for ref in [Self.ref, Self.remoteCopy] {
            if let local = try repository.target(ofReference: ref), try local == tip || repository.isAncestor(tip, of: local) {
                return true
            }
        }
        return false
    }

    /// Copies the commits reachable from `local` and not from `base` onto `base`, oldest first.
    private func copy(unsharedFrom local: ObjectID, onto base: ObjectID) throws(GitError) -> ObjectID {
        let unshared = try repository.commits(from: local, excluding: base, limit: Int.max).reversed()
        var tip = base
        for commit in unshared {
            let (message, author) = try repository.commitMessage(commit.id)
            tip = try repository.commitWithEmptyTree(
                message: message, parents: [tip], authorName: author.name,
                authorEmail: author.email, author: author)
        }
        return tip
    }

    /// The records reachable from this clone's ledger and the remote's last fetched copy, newest
    /// first, at most `limit`, each once. Newest means the ledger's own order (each record after
    /// its parent), never the date a commit claims: anyone who can push writes one, and a record
    /// dated 2099 must not become "the last record" for good.
    public func records(limit: Int = 500) throws(GitError) -> [LedgerRecord] {
        var tips: [ObjectID] = []
        for ref in [Self.ref, Self.remoteCopy] { if let tip = try repository.target(ofReference: ref) { tips.append(tip) } }
        guard !tips.isEmpty else { return [] }
        // The ledger is a chain, each record on the one before, and the remote's copy on it
        // (behind or ahead) unless two clones recorded at once: then it is read from its tip only
        // as far as `limit`. libgit2's topological order reads every commit before it gives the
        // first (a ledger of 10,000 records: 0.1 s for history's last 20).
        if let top = chainTop(tips) {
            var records: [LedgerRecord] = []
            do {
                let chain = try repository.forEachCommitMessageAlongChain(from: top, limit: limit) { message in
                    if let record = LedgerRecord.parse(message: message) { records.append(record) }
                }
                if chain { return records }
            } catch {
                return []
            }
        }
        return topologicalRecords(from: tips, limit: limit)
    }

    /// The tip whose chain holds the other, when one does.
    private func chainTop(_ tips: [ObjectID]) -> ObjectID? {
        guard tips.count == 2, tips[0] != tips[1] else { return tips.first }
        if (try? repository.isAncestor(tips[1], of: tips[0])) == true { return tips[0] }
        if (try? repository.isAncestor(tips[0], of: tips[1])) == true { return tips[1] }
        return nil
    }

    /// The records in libgit2's topological order from `tips`, each commit read once. A message
    /// that is not a record is skipped; a walk that fails gives none.
    func topologicalRecords(from tips: [ObjectID], limit: Int) -> [LedgerRecord] {
        var records: [LedgerRecord] = []
        do {
            try repository.forEachCommitMessage(from: tips, limit: limit, topological: true) { message in
                if let record = LedgerRecord.parse(message: message) { records.append(record) }
            }
        } catch {
            return []
        }
        return records
    }

    /// One record per deployment, newest first: its outcome, or its intent alone when the
    /// outcome was never written.
    public static func deployments(_ records: [LedgerRecord]) -> [LedgerRecord] {
        var order: [String] = []
        var chosen: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            let key = record.id ?? "#\(index)"
            if let current = chosen[key] {
                if records[current].state == .started, record.state != .started { chosen[key] = index }
            } else {
                order.append(key)
                chosen[key] = index
            }
        }
        return order.map { records[chosen[$0]!] }
    }
}
