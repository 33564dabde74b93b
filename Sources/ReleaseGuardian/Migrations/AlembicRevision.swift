/// One alembic revision file, as alembic reads it when it imports the file: `revision`,
/// `down_revision` (a string, a tuple for a merge, or `None` at a base), `branch_labels` and
/// `depends_on` (optional; a string or a tuple), in either quote style and with or without the
/// type annotations of recent templates (`down_revision: Union[str, Sequence[str], None] = …`).
public struct AlembicRevision: Equatable, Sendable {
    public let revision: String
    /// Empty at a base; two or more at a merge.
    public let downRevisions: [String]
    public let branchLabels: [String]
    public let dependsOn: [String]

    public init(revision: String, downRevisions: [String], branchLabels: [String] = [], dependsOn: [String] = []) {
        self.revision = revision
        self.downRevisions = downRevisions
        self.branchLabels = branchLabels
        self.dependsOn = dependsOn
    }

    /// alembic refuses these in a revision id (`Revision.verify_rev_id`).
    static let illegalCharacters: Set<Character> = ["@", "-", "+", ":"]

    /// The revision `source` declares. `fileName` stands in for a missing `revision` as alembic's
    /// legacy rule has it (`1975ea83b712.py`). Throws `.notLiteral` where a value is computed,
    /// `down_revision` is missing, or the id is one alembic refuses.
    static func parse(_ source: PythonSource, fileName: String) throws(MigrationFileProblem) -> AlembicRevision {
        let statements = source.moduleScope
        func strings(_ name: String, required: Bool) throws(MigrationFileProblem) -> [String]? {
            switch PythonSource.assignment(of: name, in: statements) {
            case nil:
                if required { throw .notLiteral("\(fileName) has no \(name)") }
                return nil
            case .unreadable(let line):
                throw .notLiteral("\(fileName) line \(line): \(name) is not a literal")
            case .literal(let literal):
                guard let values = literal.strings else {
                    throw .notLiteral("\(fileName): \(name) is not a string, a tuple of strings or None")
                }
                return values
            }
        }
        let revision: String
        switch PythonSource.assignment(of: "revision", in: statements) {
        case .literal(.string(let value)):
            revision = value
        case nil:
            // alembic's legacy rule: `([a-f0-9]+)\.py$` names the revision.
            let name = fileName.split(separator: "/").last ?? ""
            let stem = name.hasSuffix(".py") ? name.dropLast(3) : ""
            guard !stem.isEmpty, stem.allSatisfy({ $0.isASCII && ($0.isNumber || ("a"..."f").contains($0)) }) else {
                throw .notLiteral("\(fileName) has no revision")
            }
            revision = String(stem)
        case .literal:
            throw .notLiteral("\(fileName): revision is not a string")
        case .unreadable(let line):
            throw .notLiteral("\(fileName) line \(line): revision is not a literal")
        }
        guard !revision.isEmpty, !revision.contains(where: { illegalCharacters.contains($0) || $0.isWhitespace }) else {
            throw .notLiteral("\(fileName): revision '\(revision)' is not an id alembic accepts")
        }
        let down = try strings("down_revision", required: true) ?? []
        if down.contains(revision) { throw .notLiteral("\(fileName): revision \(revision) names itself as its down_revision") }
        return AlembicRevision(
            revision: revision, downRevisions: down,
            branchLabels: try strings("branch_labels", required: false) ?? [],
            dependsOn: try strings("depends_on", required: false) ?? [])
    }
}

/// The revisions of one commit, as alembic's `RevisionMap` links them.
struct AlembicHistory {
    let byID: [String: AlembicRevision]
    /// For each revision, the ones that name it in their `down_revision`.
    let children: [String: [String]]

    /// Throws a sentence where alembic would refuse the revisions: one defined twice, a
    /// `down_revision` no file defines, a cycle.
    init(_ revisions: [AlembicRevision]) throws(MigrationFileProblem) {
        var byID: [String: AlembicRevision] = [:]
        for revision in revisions {
            guard byID.updateValue(revision, forKey: revision.revision) == nil else {
                throw .notLiteral("revision \(revision.revision) is defined by two files")
            }
        }
        var children: [String: [String]] = [:]
        for revision in revisions {
            for down in revision.downRevisions {
                guard byID[down] != nil else {
                    throw .notLiteral("revision \(revision.revision) names \(down) as its down_revision, and no file defines it")
                }
                children[down, default: []].append(revision.revision)
            }
        }
        self.byID = byID
        self.children = children
        // Kahn's algorithm: every revision is ordered, or some of them loop.
        var pending = children.mapValues(\.count)
        var ready = revisions.map(\.revision).filter { (children[$0] ?? []).isEmpty }
        var ordered = 0
        while let next = ready.popLast() {
            ordered += 1
            for down in byID[next]!.downRevisions {
                pending[down]! -= 1
                if pending[down] == 0 { ready.append(down) }
            }
        }
        guard ordered == byID.count else { throw .notLiteral("some revisions form a cycle") }
    }

    /// The heads: revisions no other names in its `down_revision` (a `depends_on` does not make
    /// one, as in alembic's `RevisionMap.heads`), sorted.
    var heads: [AlembicRevision] {
        byID.values.filter { (children[$0.revision] ?? []).isEmpty }.sorted { $0.revision < $1.revision }
    }

    /// The single head; nil when there are no revisions (the database's `base`). Throws where
    /// there are several: branches no merge revision joins.
    func head() throws(MigrationFileProblem) -> AlembicRevision? {
        let heads = heads
        guard heads.count <= 1 else {
            let named = heads.map { $0.revision + ($0.branchLabels.isEmpty ? "" : " (\($0.branchLabels.joined(separator: ", ")))") }
            throw .notLiteral("\(heads.count) heads (\(named.joined(separator: ", "))): branches that no merge revision joins")
        }
        return heads.first
    }

    /// The revisions above `revision`: the ones `alembic downgrade REVISION` undoes.
    func descendants(of revision: String) -> Set<String> {
        var seen: Set<String> = []
        var pending = [revision]
        while let next = pending.popLast() {
            for child in children[next] ?? [] where seen.insert(child).inserted { pending.append(child) }
        }
        return seen
    }
}
