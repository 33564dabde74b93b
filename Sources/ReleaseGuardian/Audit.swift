import Foundation
import Git

/// `release-guardian audit`: every existing tag judged as when it was made, as `ci` judges it on
/// a re-run (`TagHistory`), with the same `Policy.evaluate`; and the one line that accepts the
/// history as it is (`release.baseline`).
///
/// One pass: tags in the order they were made, an index of the tags made before the current
/// one kept up to date as the pass goes, and for each tag a small index of only what the rules
/// ask about its version. `ci` also counts the lower versions made after a tag (they never make
/// a rule fail, so it does not read their dates); the pass adds the nearest of those, which is
/// all a rule can see of them. No index of every tag is built per tag.
public struct TagAudit {
    public struct Options: Sendable {
        public var directory: String
        /// The remote whose branches are main and the maintenance branches, as for `ci`.
        public var remote = "origin"

        public init(directory: String) {
            self.directory = directory
        }
    }

    public enum Verdict: String, Sendable, Codable {
        /// The rules allow it as it was made.
        case ok
        /// A rule refuses it, but `release.baseline` covers it: not judged again.
        case history
        /// A rule refuses it, as `ci` on a re-run would.
        case refused
    }

    /// One guarded tag and its verdict.
    public struct Entry: Sendable, Encodable {
        public let tag: String
        /// The commit it peels to (nil when it points at no commit).
        public let commit: ObjectID?
        public let annotated: Bool
        /// When it was made (tagger date, or commit date for a lightweight tag), in seconds.
        public let made: Int64?
        public let verdict: Verdict
        /// What the rules say of it (for a history tag, what they would say).
        public let violations: [Violation]

        enum CodingKeys: String, CodingKey {
            case tag, commit, annotated, made, verdict, violations
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tag, forKey: .tag)
            try container.encode(commit?.hex, forKey: .commit)
            try container.encode(annotated, forKey: .annotated)
            try container.encode(made.map(TagAudit.iso8601), forKey: .made)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(violations, forKey: .violations)
        }
    }

    /// One namespace of tags (the plain `v` tags, or a component's) and the baseline that
    /// accepts its history as it is.
    public struct Namespace: Sendable {
        /// `.plain`, or the component.
        public let component: TagComponent
        /// Its baseline in force, if any.
        public let baseline: Baseline?
        /// Its highest release tag: the baseline that accepts its history (nil: it has none).
        public let accepting: String?
        /// Its refused tags, in the order they were made.
        public let refused: [String]
        /// Those `accepting` would not cover (made after its tag).
        public let notCovered: [String]

        /// `release.baseline`, `component.google-gax.baseline`.
        public var key: String { Baseline.key(of: component) }
    }

    public struct Report: Sendable {
        /// The guarded tags, in the order they were made.
        public let entries: [Entry]
        /// Tags no rule guards (not version tags), sorted.
        public let unguarded: [String]
        /// The plain tags first, then each component's, in configuration order.
        public let namespaces: [Namespace]

        /// A bare repository: the baseline is the server's policy.
        public let isServer: Bool

        public var refused: [Entry] { entries.filter { $0.verdict == .refused } }
        public var allowed: Bool { refused.isEmpty }

        private var plain: Namespace? { namespaces.first { $0.component == .plain } }
        /// `release.baseline` in force, if any.
        public var baseline: Baseline? { plain?.baseline }
        /// The highest plain release tag: the `release.baseline` that accepts their history.
        public var acceptingBaseline: String? { plain?.accepting }
        /// Refused plain tags that baseline would not cover (made after its tag).
        public var notCoveredByAcceptingBaseline: [String] { plain?.notCovered ?? [] }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run() throws(AuditError) -> Report {
        let repository: Repository
        do { repository = try Repository.discover(from: options.directory) } catch { throw .repository(.git(error)) }
        if repository.isShallow { throw .shallow(remote: options.remote) }
        let settings: Settings
        do { settings = try Settings.load(for: repository) } catch { throw .configuration(error) }
        let reader = RepositoryReader(repository)
        let vantage: Vantage = repository.isBare ? .server : .client(remote: options.remote)
        try requireMain(settings, vantage: vantage, in: reader)

        let (tags, unguarded) = try readTags(settings: settings, in: reader)
        let judged = try judge(tags, settings: settings, vantage: vantage, in: reader)

        // Each namespace's baseline covers its own tags only (`Settings.baseline(forTag:)`).
        var histories: [String?: Baseline.History] = [:]
        for baseline in settings.baselines {
            do { histories[baseline.component.name] = try baseline.resolved(in: reader) } catch { throw .baseline(error) }
        }
        let entries = zip(tags, judged).map { tag, violations in
            let history = settings.baseline(forTag: tag.name).flatMap { histories[$0.component.name] }
            let covered = history?.covers(tag.name, made: tag.made) ?? false
            return Entry(
                tag: tag.name, commit: tag.commit, annotated: tag.annotated, made: tag.made,
                verdict: violations.isEmpty ? .ok : covered ? .history : .refused, violations: violations)
        }
        let namespaces = ([TagComponent.plain] + settings.components).map { component in
            let own = zip(tags, entries).filter { $0.0.namespace == component }
            // The baseline that accepts all of it: its highest release tag (it must exist, and be made).
            let accepting = own.map(\.0).filter { $0.ownRelease != nil && $0.made != nil }
                .max { SemanticVersion.compare($0.ownRelease!, $1.ownRelease!) < 0 }
            let refused = own.map(\.1).filter { $0.verdict == .refused }
            let history = accepting.map { Baseline.History(version: $0.ownRelease!, made: $0.made!, component: component) }
            return Namespace(
                component: component, baseline: settings.baselines.first { $0.component == component }, accepting: accepting?.name,
                refused: refused.map(\.tag),
                notCovered: history.map { history in refused.filter { !history.covers($0.tag, made: $0.made) }.map(\.tag) } ?? [])
        }
        return Report(entries: entries, unguarded: unguarded, namespaces: namespaces, isServer: repository.isBare)
    }

    // MARK: - Reading the tags

    /// A guarded tag as the pass needs it.
    struct Tag {
        let name: String
        let ref: String
        let id: ObjectID
        let commit: ObjectID?
        let annotated: Bool
        let made: Int64?
        /// The version it spells, read leniently (nil for a name that spells none).
        let version: SemanticVersion?
        /// Its version when it is a strict release tag (only those take part in ordering).
        let release: SemanticVersion?
        /// A monorepo component's tag (`[component "NAME"]`): judged on its own lines, as `ci`
        /// judges it (the one pass below keeps the plain tags' index only).
        let component: TagComponent?
        /// Whose baseline covers it: the component that claims its name (even misspelt), else `.plain`.
        let namespace: TagComponent
        /// Its version when it is a strict release tag of its namespace.
        let ownRelease: SemanticVersion?
    }

    /// The guarded tags in the order they were made (undated ones last), and the names of the others.
    private func readTags(settings: Settings, in reader: RepositoryReader) throws(AuditError) -> ([Tag], [String]) {
        let values: [String: ObjectID]
        do { values = try reader.referenceValues(under: RefName.tagsPrefix) } catch { throw .read(error) }
        var tags: [Tag] = []
        var unguarded: [String] = []
        for (ref, id) in values {
            let name = RefName.short(ref)
            guard case .tag(let tagName) = RefKind(ref, settings: settings) else {
                unguarded.append(name)
                continue
            }
            let component = tagName.component.flatMap { $0.name == nil ? nil : $0 }
            do {
                let kind = try reader.kind(of: id)
                tags.append(
                    Tag(
                        name: name, ref: ref, id: id, commit: try reader.peeledCommit(of: id), annotated: kind == .tag,
                        made: try reader.creationTime(of: id),
                        version: component == nil ? tagName.version ?? TagName.normalizedVersion(of: name) : nil,
                        release: component == nil ? tagName.version : nil, component: component,
                        namespace: settings.tagNaming.component(claiming: name) ?? .plain, ownRelease: tagName.version))
            } catch  where error.isNotFound {
                throw .missingObject(tag: name, id: id)
            } catch {
                throw .read(error)
            }
        }
        tags.sort { ($0.made ?? .max, $0.name) < ($1.made ?? .max, $1.name) }
        return (tags, unguarded.sorted())
    }

    /// The rules need main to judge a tag.
    private func requireMain(_ settings: Settings, vantage: Vantage, in reader: RepositoryReader) throws(AuditError) {
        let main = RefName.short(settings.mainBranch)
        do {
            for prefix in vantage.branchSources where try reader.target(ofReference: prefix + main) != nil { return }
        } catch {
            throw .read(error)
        }
        throw .missingMain(branch: main, remote: vantage.trackingPrefix == nil ? nil : options.remote)
    }

    // MARK: - Judging, in one pass

    /// Each tag's violations, judged as its creation against the tags `ci` would count as
    /// existing: those made before it, the lower versions made after it, and the undated.
    private func judge(_ tags: [Tag], settings: Settings, vantage: Vantage, in reader: RepositoryReader) throws(AuditError) -> [[Violation]]
    {
        let policy = Policy(settings: settings)
        var before = ReleaseTagIndex(tracking: tags.compactMap(\.version))
        // `ci` never leaves out a tag it cannot date: it exists for every tag.
        for tag in tags where tag.made == nil { before.insert(tagName: tag.name) }
        let lower = LowerReleases(tags.compactMap { tag in tag.release.map { (tag.name, $0) } })
        var judged: [[Violation]] = []
        var start = 0
        while start < tags.count {
            // Tags made at the same second do not count for each other (as in `TagHistory`).
            var end = start + 1
            while end < tags.count, let made = tags[start].made, tags[end].made == made { end += 1 }
            for tag in tags[start..<end] {
                let update = RefUpdate(ref: tag.ref, oldID: nil, newID: tag.id)
                do throws(PolicyError) {
                    if tag.made == nil {
                        // Undated (it points at no commit): judged against every other tag, as `ci` does.
                        judged.append(try policy.evaluate([update], in: reader, vantage: vantage))
                    } else if tag.namespace != .plain || Self.isFloating(tag.name, settings: settings) {
                        // A component's tag (misspelt ones too), or a floating tag (it asks about
                        // its line's releases, which the one-pass index does not track): exactly
                        // as `ci` judges it on a re-run.
                        let later: Set<String>
                        do { later = try TagHistory.tagsMadeAfter(tag.name, id: tag.id, naming: settings.tagNaming, in: reader) } catch {
                            throw PolicyError.read(error)
                        }
                        judged.append(try policy.evaluate([update], in: reader, vantage: vantage, ignoringTags: later))
                    } else {
                        let existing = Self.existing(for: tag, before: before, lower: lower)
                        judged.append(try policy.evaluate([update], in: reader, vantage: vantage, existingTags: existing))
                    }
                } catch {
                    throw .policy(error)
                }
            }
            for tag in tags[start..<end] where tag.made != nil { before.insert(tagName: tag.name) }
            start = end
        }
        return judged
    }

    static func isFloating(_ name: String, settings: Settings) -> Bool {
        if case .floating = TagName(name, naming: settings.tagNaming) { return true }
        return false
    }

    /// What the rules can ask about `tag`'s version, from the tags made before it and the lower
    /// versions: the highest of its line, its major and of all (final releases too), and another
    /// spelling of its version. A tag that spells no version asks the index nothing.
    static func existing(for tag: Tag, before: ReleaseTagIndex, lower: LowerReleases) -> ReleaseTagIndex {
        guard let version = tag.version else { return ReleaseTagIndex(tracking: []) }
        var index = ReleaseTagIndex(tracking: [version])
        let fromBefore = [
            before.highest(inLine: version.line), before.highestFinal(inLine: version.line),
            before.highest(inMajor: version.major), before.highestFinal(inMajor: version.major),
            before.highest(), before.highestFinal(), before.otherSpelling(of: version, name: tag.name),
        ]
        for entry in fromBefore.compactMap({ $0 }) + lower.nearest(below: version) { index.insert(tagName: entry.name) }
        return index
    }

    static func iso8601(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// The release tags by version, to find the nearest below a version in its line, its major and
/// overall (and the nearest final release of each) by binary search.
struct LowerReleases {
    struct Ladder {
        /// Sorted by version.
        var entries: [ReleaseTagIndex.Entry] = []
        /// For each position, the position of the last final release at or before it (-1: none).
        var lastFinal: [Int] = []

        /// The nearest entry below `version`, and the nearest final release below it.
        func nearest(below version: SemanticVersion) -> [ReleaseTagIndex.Entry] {
            let position = entries.partitioningIndex { SemanticVersion.compare($0.version, version) >= 0 } - 1
            guard position >= 0 else { return [] }
            let final = lastFinal[position]
            return final >= 0 && final != position ? [entries[position], entries[final]] : [entries[position]]
        }
    }

    private var all = Ladder()
    private var lines: [SemanticVersion.Line: Ladder] = [:]
    private var majors: [SemanticVersion.Numeric: Ladder] = [:]

    init(_ releases: [(name: String, version: SemanticVersion)]) {
        let sorted = releases.sorted { SemanticVersion.compare($0.version, $1.version) < 0 }
        for (name, version) in sorted {
            let entry = ReleaseTagIndex.Entry(name: name, version: version, isRelease: true)
            Self.append(entry, to: &all)
            Self.append(entry, to: &lines[version.line, default: Ladder()])
            Self.append(entry, to: &majors[version.major, default: Ladder()])
        }
    }

    private static func append(_ entry: ReleaseTagIndex.Entry, to ladder: inout Ladder) {
        let previous = ladder.lastFinal.last ?? -1
        ladder.lastFinal.append(entry.version.isPrerelease ? previous : ladder.entries.count)
        ladder.entries.append(entry)
    }

    /// The release tags below `version` that a rule can see: the nearest of its line, of its
    /// major and of all, each with the nearest final release.
    func nearest(below version: SemanticVersion) -> [ReleaseTagIndex.Entry] {
        all.nearest(below: version) + (lines[version.line]?.nearest(below: version) ?? [])
            + (majors[version.major]?.nearest(below: version) ?? [])
    }
}

/// Why `audit` could not run; exit 2.
public enum AuditError: Error, CustomStringConvertible {
    case repository(ReadError)
    case shallow(remote: String)
    case configuration(ConfigurationError)
    case missingMain(branch: String, remote: String?)
    case missingObject(tag: String, id: ObjectID)
    case baseline(BaselineError)
    case read(ReadError)
    case policy(PolicyError)
    case nothingToAccept
    case bareRepository(baseline: String, key: String, policyFile: String)

    public var description: String {
        switch self {
        case .repository(let error):
            error.openingDescription
        case .shallow(let remote):
            "this clone is shallow, so the tags cannot be judged: the other tags and main's history are missing. Fix: `git fetch --unshallow --tags \(shellQuoted(remote))`."
        case .configuration(let error):
            "\(error)"
        case .missingMain(let branch, let remote):
            "\(branch) is not in this repository, and the rules need it to judge a tag"
                + (remote.map { ": fetch it (`git fetch \(shellQuoted($0)) \(shellQuoted(branch))`)." } ?? ".")
        case .missingObject(let tag, let id):
            "the tag \(tag) points at \(id), which is not in this repository. Run `git fetch --tags`, or check the repository (`git fsck`)."
        case .baseline(let error):
            "\(error)"
        case .read(let error):
            "git: \(error.message)"
        case .policy(let error):
            "\(error)"
        case .nothingToAccept:
            "there is no release tag, so there is no history to accept: nothing was written."
        case .bareRepository(let baseline, let key, let policyFile):
            "this is a bare repository (a server): its baselines are the server's policy, never a working-tree file. Set them there: `git config --file \(shellQuoted(policyFile)) \(key) \(shellQuoted(baseline))` (the policy file `install --server` wrote), or `git config release-guardian.\(key) \(shellQuoted(baseline))` in this repository (`audit` lists each namespace's). Nothing was written."
        }
    }
}

// MARK: - Accepting the history

extension TagAudit {
    /// What `--write-baseline` wrote, or why it left a namespace out.
    public struct WrittenBaseline: Sendable {
        public let path: String
        /// `release.baseline`, `component.google-gax.baseline`.
        public let key: String
        public let baseline: String
        /// Written; false when the component's prefix is not in the file (see `note`).
        public let written: Bool
        /// A value in the repository's git config that overrides the file, or why it was not written.
        public let note: String?
    }

    /// Writes each namespace's accepting baseline (its highest release tag: `release.baseline`,
    /// `component.NAME.baseline`) into the working tree's `.release-guardian` with `git config
    /// --file` (the other keys and comments stay; a component's goes into its own section).
    /// Every namespace with a release tag is accepted as it is, whether or not a tag of it is
    /// refused today, as `release.baseline` always was; a namespace without one has nothing to
    /// accept. A component whose prefix is not in the file is left out: a committed file that
    /// names a baseline without its component's prefix does not validate (`policy-file`).
    public func writeBaseline(_ report: Report) throws(AuditError) -> [WrittenBaseline] {
        let accepting = report.namespaces.filter { $0.accepting != nil }
        guard let first = accepting.first?.accepting else { throw .nothingToAccept }
        let repository: Repository
        do { repository = try Repository.discover(from: options.directory) } catch { throw .repository(.git(error)) }
        guard let root = repository.workingDirectory else {
            throw .bareRepository(
                baseline: first, key: accepting[0].key, policyFile: repository.commonDirectory + Settings.serverPolicyFileName)
        }
        let path = root + Settings.fileName
        var inFile: Set<String> = []
        if FileManager.default.fileExists(atPath: path) {
            do { inFile = Set(try Settings.read(file: path).map { RawValues.normalized($0.name) }) } catch { throw .configuration(error) }
        }
        var written: [WrittenBaseline] = []
        for namespace in accepting {
            let tag = namespace.accepting!
            if let name = namespace.component.name, !inFile.contains(RawValues.normalized("component.\(name).prefix")) {
                written.append(
                    WrittenBaseline(
                        path: path, key: namespace.key, baseline: tag, written: false,
                        note:
                            "component \(name)'s prefix is not set in \(Settings.fileName), so its baseline was not written there: set it where the prefix is set (`git config release-guardian.\(namespace.key) \(shellQuoted(tag))`)"
                    ))
                continue
            }
            do {
                try GitCommandLine.setConfig(file: path, key: namespace.key, value: tag)
            } catch {
                throw .configuration(.malformedFile(path: path, detail: Settings.gitConfigError(error.output, source: path)))
            }
            written.append(WrittenBaseline(path: path, key: namespace.key, baseline: tag, written: true, note: nil))
        }
        let inForce: [Baseline]
        do { inForce = try Settings.load(for: repository).baselines } catch { throw .configuration(error) }
        return written.map { entry in
            guard entry.written, let other = inForce.first(where: { $0.key == entry.key }), other.tag != entry.baseline else {
                return entry
            }
            return WrittenBaseline(
                path: entry.path, key: entry.key, baseline: entry.baseline, written: true,
                note:
                    "the repository's git config sets \(entry.key) = \(other.tag) (\(other.source)), which overrides the file here: `git config --unset release-guardian.\(entry.key)`"
            )
        }
    }

    // MARK: - Output

    /// The table for people: tag, commit, when it was made, verdict; then a summary and how to
    /// accept the history.
    public static func text(_ report: Report) -> String {
        var rows = [["tag", "commit", "made (UTC)", "verdict"]]
        for entry in report.entries {
            rows.append([entry.tag, entry.commit?.short ?? "-", entry.made.map(iso8601) ?? "-", verdict(entry)])
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            (0..<3).map { row[$0] + String(repeating: " ", count: widths[$0] - row[$0].count) }.joined(separator: "  ") + "  " + row[3]
        }
        lines.append("")
        lines.append(contentsOf: summary(report))
        return lines.joined(separator: "\n")
    }

    /// `ok`, `history` (with the rules it would break), or the rule ids and the first message.
    static func verdict(_ entry: Entry) -> String {
        let rules = entry.violations.map(\.rule.rawValue).joined(separator: ", ")
        switch entry.verdict {
        case .ok: return "ok"
        case .history: return "history (\(rules))"
        case .refused: return rules + ": " + (entry.violations.first?.message ?? "")
        }
    }

    static func summary(_ report: Report) -> [String] {
        let count = { (verdict: Verdict) in report.entries.filter { $0.verdict == verdict }.count }
        var byRule: [RuleID: Int] = [:]
        for entry in report.refused { for rule in Set(entry.violations.map(\.rule)) { byRule[rule, default: 0] += 1 } }
        let rules = RuleID.allCases.compactMap { rule in byRule[rule].map { "\(rule.rawValue) \($0)" } }.joined(separator: ", ")
        var lines = [
            "\(report.entries.count) version tag\(report.entries.count == 1 ? "" : "s") judged as when they were made: \(count(.ok)) ok, "
                + "\(count(.refused)) refused\(rules.isEmpty ? "" : " (\(rules))"), \(count(.history)) history; "
                + "\(report.unguarded.count) other tag\(report.unguarded.count == 1 ? " is" : "s are") not version tags (not guarded; --json lists them)."
        ]
        for baseline in report.namespaces.compactMap(\.baseline) {
            lines.append(
                "\(baseline.key) = \(baseline.tag) (\(baseline.source)): tags\(baseline.component.ofComponent) at or below it, made no later, are history."
            )
        }
        guard !report.allowed else {
            lines.append("No tag breaks a rule as it was made: ci and revert-to will judge every one of them as it is.")
            return lines
        }
        let acceptable = report.namespaces.filter { !$0.refused.isEmpty && $0.accepting != nil }
        if !acceptable.isEmpty {
            lines.append(
                "ci on a re-run of these tags, and revert-to or deploy to them, refuse them. Moving or deleting them is refused too (tag-immutable, tag-delete): accept this history as it is, and those commands will not judge these tags again (they stay immutable and undeletable):"
            )
        }
        for namespace in acceptable {
            let accepting = namespace.accepting!
            if report.isServer {
                lines.append(
                    "    git config release-guardian.\(namespace.key) \(shellQuoted(accepting))   (in this server repository; or `\(namespace.key) = \(accepting)` in its release-guardian.config)"
                )
            } else {
                let section = namespace.component.name.map { "[component \"\($0)\"] section" } ?? "[release] section"
                lines.append("    \(namespace.key) = \(accepting)   (in .release-guardian, \(section))")
            }
        }
        if !acceptable.isEmpty && !report.isServer {
            lines.append("  or run `release-guardian audit --write-baseline`, then commit .release-guardian.")
        }
        for namespace in acceptable where !namespace.notCovered.isEmpty {
            lines.append(
                "That baseline would not cover \(namespace.notCovered.joined(separator: ", ")): made after \(namespace.accepting!), they stay judged as any new tag."
            )
        }
        for namespace in report.namespaces where !namespace.refused.isEmpty && namespace.accepting == nil {
            lines.append(
                "No release tag\(namespace.component.ofComponent) can accept \(namespace.refused.joined(separator: ", ")): there is none to set \(namespace.key) to."
            )
        }
        return lines
    }
}

extension TagAudit.Report: Encodable {
    enum CodingKeys: String, CodingKey {
        case baseline, acceptingBaseline, notCoveredByAcceptingBaseline, baselines, summary, tags, unguarded
    }

    /// One namespace, in `baselines`: its key, the baseline in force, the one that accepts it
    /// and, when a tag of it is refused, the line to add.
    struct NamespaceDocument: Encodable {
        let namespace: TagAudit.Namespace

        enum CodingKeys: String, CodingKey { case component, key, baseline, accepting, line, refused, notCovered }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(namespace.component.name, forKey: .component)
            try container.encode(namespace.key, forKey: .key)
            try container.encode(namespace.baseline?.tag, forKey: .baseline)
            try container.encode(namespace.accepting, forKey: .accepting)
            let line = namespace.refused.isEmpty ? nil : namespace.accepting.map { "\(namespace.key) = \($0)" }
            try container.encode(line, forKey: .line)
            try container.encode(namespace.refused, forKey: .refused)
            try container.encode(namespace.notCovered, forKey: .notCovered)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseline?.tag, forKey: .baseline)
        try container.encode(acceptingBaseline, forKey: .acceptingBaseline)
        try container.encode(notCoveredByAcceptingBaseline, forKey: .notCoveredByAcceptingBaseline)
        try container.encode(namespaces.map(NamespaceDocument.init), forKey: .baselines)
        let count = { (verdict: TagAudit.Verdict) in entries.filter { $0.verdict == verdict }.count }
        try container.encode(
            [
                "tags": entries.count, "ok": count(.ok), "refused": count(.refused), "history": count(.history),
                "unguarded": unguarded.count,
            ], forKey: .summary)
        try container.encode(entries, forKey: .tags)
        try container.encode(unguarded, forKey: .unguarded)
    }
}
