import Git

/// An answer read from migration files, or why there is none: never a guess.
public enum MigrationVerdict<Value: Equatable & Sendable>: Equatable, Sendable {
    case known(Value)
    /// A sentence saying what could not be read or decided.
    case cannotTell(String)

    public var value: Value? {
        if case .known(let value) = self { return value }
        return nil
    }
}

/// Where alembic must take the database: down to the head of the target commit.
public struct AlembicTarget: Equatable, Sendable {
    /// A branch of revisions that are not at the target and not above its head: after
    /// `alembic downgrade HEAD` they are still applied (alembic undoes only what is above the
    /// revision it is given), and `alembic downgrade TOP@-DEPTH` takes them down. Such a branch
    /// comes from a merge revision that joined a line the target never had.
    public struct Branch: Equatable, Sendable {
        public let top: String
        public let depth: Int

        public init(top: String, depth: Int) {
            self.top = top
            self.depth = depth
        }
    }

    /// The head's revision id, or `base` when the target has no revision at all.
    public let revision: String
    public let branchLabels: [String]
    public let branchesBeside: [Branch]

    public init(revision: String, branchLabels: [String] = [], branchesBeside: [Branch] = []) {
        self.revision = revision
        self.branchLabels = branchLabels
        self.branchesBeside = branchesBeside
    }

    /// `alembic downgrade HEAD`, then one command per branch beside it.
    public var commands: [String] {
        ["alembic downgrade \(shellQuoted(revision))"] + branchesBeside.map { "alembic downgrade \(shellQuoted("\($0.top)@-\($0.depth)"))" }
    }
}

/// Where one Django app's schema must go back to.
public enum DjangoAppTarget: Equatable, Sendable {
    /// How the last migration at the target was found.
    public enum Basis: Equatable, Sendable {
        /// The app's dependency graph in the files: its one leaf.
        case dependencies
        /// A file's dependencies are not literal: the migration whose name has the highest
        /// number (`0004_…`), as `makemigrations` numbers them.
        case highestNumber
    }

    /// The last migration of the app at the target.
    case migration(String, basis: Basis)
    /// The app has no migration at the target: all of them are undone.
    case zero

    /// As `migrate` takes it: the migration's name, or `zero`.
    public var name: String {
        switch self {
        case .migration(let name, _): name
        case .zero: "zero"
        }
    }
}

/// One Django app whose migrations the rollback leaves behind.
public struct DjangoAppGap: Equatable, Sendable {
    /// The app's label: the name of the directory that holds its `migrations` directory.
    public let app: String
    /// The app's migration files in what runs now and absent at the target.
    public let orphanedFiles: [String]
    public let target: MigrationVerdict<DjangoAppTarget>

    public var command: String? {
        target.value.map { "python manage.py migrate \(shellQuoted(app)) \(shellQuoted($0.name))" }
    }
}

/// The migration files that what runs now has and the target commit lacks: after the rollback,
/// the database's schema is ahead of the code, and nothing in the code can undo it. Read from
/// both commits' trees, nothing checked out (`MigrationGap.between`).
///
/// The commands are printed as the tools take them in the project's directory (where
/// `alembic.ini` or `manage.py` is), and must run with the code that runs now, before the
/// rollback: the files that undo the migrations are the ones about to go.
public struct MigrationGap: Equatable, Sendable {
    /// The environment variable that gives a `before` command the target: alembic's revision
    /// (the head at the target; `alembicTarget.branchesBeside` says when downgrading to it is
    /// not all there is to do); for Django one `APP NAME` line per app (as `migrate` takes them).
    public static let targetVariable = "RELEASE_GUARDIAN_MIGRATION_TARGET"
    /// The environment variable that gives a `before` command the orphaned files, one a line.
    public static let filesVariable = "RELEASE_GUARDIAN_MIGRATIONS"
    /// A migration file larger than this is not read (its answer is "cannot tell"): a revision
    /// file is a few kilobytes, a squashed or data migration some hundreds.
    public static let defaultReadLimit = 1 << 20

    public let tool: MigrationTool
    /// What runs now, and the commit the rollback goes to.
    public let now: ObjectID
    public let target: ObjectID
    /// Migration files present now and absent at the target, sorted by path.
    public let orphanedFiles: [String]
    /// alembic: the head at the target; nil for the other tools.
    public let alembicTarget: MigrationVerdict<AlembicTarget>?
    /// Django: each app with orphaned files, by label; empty for the other tools.
    public let djangoApps: [DjangoAppGap]

    /// The commands that bring the database back to the target's schema, in order; empty for
    /// `files`, and without the ones that cannot be told (see `cannotTell`).
    public var commands: [String] {
        switch tool {
        case .alembic: alembicTarget?.value?.commands ?? []
        case .django: djangoApps.compactMap(\.command)
        case .files: []
        }
    }

    /// Why part of the answer is missing, one sentence each; empty when everything is known.
    public var cannotTell: [String] {
        switch tool {
        case .alembic:
            if case .cannotTell(let reason) = alembicTarget { return ["cannot tell where alembic goes back to: \(reason)"] }
            return []
        case .django:
            return djangoApps.compactMap { app in
                if case .cannotTell(let reason) = app.target { return "cannot tell where \(app.app) goes back to: \(reason)" }
                return nil
            }
        case .files:
            return []
        }
    }

    /// `RELEASE_GUARDIAN_MIGRATIONS` always; `RELEASE_GUARDIAN_MIGRATION_TARGET` when the
    /// whole target is known (never a part of it).
    public var environment: [String: String] {
        var variables = [Self.filesVariable: orphanedFiles.joined(separator: "\n")]
        switch tool {
        case .alembic:
            if let target = alembicTarget?.value { variables[Self.targetVariable] = target.revision }
        case .django:
            let targets = djangoApps.compactMap { app in app.target.value.map { "\(app.app) \($0.name)" } }
            if targets.count == djangoApps.count { variables[Self.targetVariable] = targets.joined(separator: "\n") }
        case .files:
            break
        }
        return variables
    }

    /// The gap in plain text, for a plan: the files, then per tool the target and command.
    public var lines: [String] {
        var lines = [
            "Migration gap (\(tool.rawValue)): \(orphanedFiles.count) migration file\(orphanedFiles.count == 1 ? "" : "s") in what runs now "
                + "\(orphanedFiles.count == 1 ? "is" : "are") not at the target; the database stays ahead of that code:"
        ]
        lines += orphanedFiles.map { "  \($0)" }
        switch alembicTarget {
        case .known(let target)?:
            let labels = target.branchLabels.isEmpty ? "" : " (\(target.branchLabels.joined(separator: ", ")))"
            lines.append("Head at the target: \(target.revision)\(labels). Before the rollback: \(target.commands[0])")
            for (branch, command) in zip(target.branchesBeside, target.commands.dropFirst()) {
                lines.append("  then \(command) (\(branch.top) is not above \(target.revision): the downgrade leaves it applied)")
            }
        case .cannotTell(let reason)?:
            lines.append("alembic: cannot tell where to downgrade to (\(reason)).")
        case nil:
            break
        }
        for app in djangoApps {
            switch app.target {
            case .known(let target):
                let basis =
                    if case .migration(_, .highestNumber) = target { " (by its number: a file's dependencies are not literal)" } else { "" }
                let what = target == .zero ? "no migration at the target" : "last migration at the target \(target.name)\(basis)"
                lines.append("\(app.app): \(what). Before the rollback: \(app.command ?? "")")
            case .cannotTell(let reason):
                lines.append("\(app.app): cannot tell (\(reason)).")
            }
        }
        return lines
    }
}

extension MigrationGap {
    /// The gap between what runs now and `target`, nil when no migration file is orphaned (or
    /// the two are the same commit). Throws when a commit or a tree cannot be read; a file that
    /// cannot be read (over `readLimit` bytes, a link, missing) makes its part "cannot tell".
    public static func between(
        now: ObjectID, target: ObjectID, settings: MigrationSettings, in repository: Repository, readLimit: Int = defaultReadLimit
    ) throws(GitError) -> MigrationGap? {
        guard now != target else { return nil }
        let isMigration = settings.tool.isMigrationFile
        let nowFiles = try repository.files(at: now, matching: settings.paths).filter { isMigration($0.path) }
        let targetFiles = try repository.files(at: target, matching: settings.paths).filter { isMigration($0.path) }
        let atTarget = Set(targetFiles.map(\.path))
        let orphaned = nowFiles.map(\.path).filter { !atTarget.contains($0) }
        guard !orphaned.isEmpty else { return nil }
        let read = { (file: Repository.TreeFile) in MigrationFile.read(file, in: repository, limit: readLimit) }
        switch settings.tool {
        case .files:
            return MigrationGap(tool: .files, now: now, target: target, orphanedFiles: orphaned, alembicTarget: nil, djangoApps: [])
        case .alembic:
            return MigrationGap(
                tool: .alembic, now: now, target: target, orphanedFiles: orphaned,
                alembicTarget: alembicTarget(now: nowFiles.map(read), target: targetFiles.map(read)), djangoApps: [])
        case .django:
            return MigrationGap(
                tool: .django, now: now, target: target, orphanedFiles: orphaned, alembicTarget: nil,
                djangoApps: djangoApps(orphaned: orphaned, nowFiles: nowFiles, targetFiles: targetFiles, read: read))
        }
    }

    /// The revisions `files` declare, or every problem found, in one sentence.
    static func alembicHistory(_ files: [MigrationFile], at commit: String) -> Result<AlembicHistory, MigrationFileProblem> {
        var revisions: [AlembicRevision] = []
        var problems: [String] = []
        for file in files {
            do {
                revisions.append(try AlembicRevision.parse(file.content.get(), fileName: file.path))
            } catch {
                problems.append(error.description)
            }
        }
        if !problems.isEmpty { return .failure(.notLiteral("\(commit): \(problems.joined(separator: "; "))")) }
        do {
            return .success(try AlembicHistory(revisions))
        } catch {
            return .failure(.notLiteral("\(commit): \(error)"))
        }
    }

    /// The head of the target's revisions (`base` when it has none), and the branches beside
    /// it that downgrading to it leaves applied, read from both commits' revisions. "Cannot
    /// tell" where a file cannot be read, the target has several heads, what runs now has
    /// several (alembic would want to be told which to take down) or lacks the target's head,
    /// or a branch beside it is not a plain line down to a revision of the target, or comes with
    /// `depends_on`.
    static func alembicTarget(now nowFiles: [MigrationFile], target targetFiles: [MigrationFile]) -> MigrationVerdict<AlembicTarget> {
        let target: AlembicHistory
        let now: AlembicHistory
        do {
            target = try alembicHistory(targetFiles, at: "at the target").get()
            now = try alembicHistory(nowFiles, at: "in what runs now").get()
        } catch {
            return .cannotTell(error.description)
        }
        let head: AlembicRevision
        do {
            guard let found = try target.head() else { return .known(AlembicTarget(revision: "base")) }
            head = found
        } catch {
            return .cannotTell("at the target: \(error)")
        }
        let nowHeads = now.heads
        guard nowHeads.count == 1 else {
            return .cannotTell("what runs now has \(nowHeads.count) heads (\(nowHeads.map(\.revision).joined(separator: ", ")))")
        }
        guard now.byID[head.revision] != nil else {
            return .cannotTell(
                "the target's head \(head.revision) is not among the revisions of what runs now, which alembic there would need")
        }
        // What the downgrade to the head leaves: orphaned revisions that are not above it.
        let orphaned = Set(now.byID.keys).subtracting(target.byID.keys)
        let left = orphaned.subtracting(now.descendants(of: head.revision))
        // alembic also takes down what `depends_on` a revision it removes: beside the head, the
        // order it would go in is not read here.
        if !left.isEmpty, let dependent = orphaned.sorted().first(where: { !now.byID[$0]!.dependsOn.isEmpty }) {
            return .cannotTell(
                "\(left.sorted().joined(separator: ", ")) \(left.count == 1 ? "is" : "are") not above \(head.revision), and \(dependent) has depends_on"
            )
        }
        var branches: [AlembicTarget.Branch] = []
        for top in left.sorted() where (now.children[top] ?? []).allSatisfy({ !left.contains($0) }) {
            var depth = 0
            var current = top
            while true {
                let downs = now.byID[current]!.downRevisions
                guard downs.count == 1 else {
                    return .cannotTell(
                        "\(top) is not above \(head.revision) and its line down to the target's revisions is not plain (\(current) has \(downs.count) down revisions)"
                    )
                }
                depth += 1
                guard left.contains(downs[0]) else { break }
                current = downs[0]
            }
            branches.append(AlembicTarget.Branch(top: top, depth: depth))
        }
        guard branches.map(\.depth).reduce(0, +) == left.count else {
            return .cannotTell("the revisions not above \(head.revision) (\(left.sorted().joined(separator: ", "))) are not plain lines")
        }
        return .known(AlembicTarget(revision: head.revision, branchLabels: head.branchLabels, branchesBeside: branches))
    }

    /// Per app with orphaned files, where its schema goes back to.
    static func djangoApps(
        orphaned: [String], nowFiles: [Repository.TreeFile], targetFiles: [Repository.TreeFile],
        read: (Repository.TreeFile) -> MigrationFile
    ) -> [DjangoAppGap] {
        // An app is a migrations directory; its label, the directory above. Two directories
        // with one label are two apps Django would refuse to load together.
        let directories = Set((nowFiles + targetFiles).map { DjangoLocation.directory(of: $0.path) })
        var labelCount: [String: Int] = [:]
        for directory in directories {
            if let label = DjangoLocation.app(ofDirectory: directory) { labelCount[label, default: 0] += 1 }
        }
        var byDirectory: [String: [String]] = [:]
        for path in orphaned { byDirectory[DjangoLocation.directory(of: path), default: []].append(path) }
        var apps: [DjangoAppGap] = []
        for (directory, files) in byDirectory {
            guard let app = DjangoLocation.app(ofDirectory: directory) else {
                apps.append(
                    DjangoAppGap(
                        app: directory.isEmpty ? "(the root)" : directory, orphanedFiles: files,
                        target: .cannotTell("\(files[0]) has no app directory above its migrations directory")))
                continue
            }
            guard labelCount[app] == 1 else {
                apps.append(
                    DjangoAppGap(
                        app: app, orphanedFiles: files,
                        target: .cannotTell("more than one migrations directory belongs to an app named \(app)")))
                continue
            }
            let inDirectory = { (file: Repository.TreeFile) in DjangoLocation.directory(of: file.path) == directory }
            let target = djangoTarget(
                app: app, orphaned: files.map { MigrationFile.stem(of: $0) }, now: nowFiles.filter(inDirectory).map(read),
                target: targetFiles.filter(inDirectory).map(read))
            apps.append(DjangoAppGap(app: app, orphanedFiles: files, target: target))
        }
        return apps.sorted { $0.app < $1.app || ($0.app == $1.app && $0.orphanedFiles[0] < $1.orphanedFiles[0]) }
    }

    /// The migrations `files` declare; nil when one's dependencies are not literal (the caller
    /// then goes by numbers); throws when one could not be read at all.
    static func djangoMigrations(_ files: [MigrationFile]) throws(MigrationFileProblem) -> [DjangoMigration]? {
        var migrations: [DjangoMigration] = []
        var literal = true
        for file in files {
            do {
                migrations.append(try DjangoMigration.parse(file.content.get(), name: file.stem, fileName: file.path))
            } catch .notLiteral {
                literal = false
            } catch {
                throw error
            }
        }
        return literal ? migrations : nil
    }

    /// Where `app` goes back to: the last migration among `targetFiles` (its migrations at the
    /// target), `zero` when there is none. By the dependency graphs when every file's are
    /// literal: the target's leaf, and every orphaned migration must lie after it in what runs
    /// now (`migrate APP NAME` undoes only those; one on a branch merged later would stay
    /// applied, and Django has no command that undoes it alone). Otherwise by the numbers in the
    /// names: the highest at the target, and every orphaned one higher. "Cannot tell" where a
    /// file could not be read at all, or where these do not hold.
    static func djangoTarget(
        app: String, orphaned: [String], now nowFiles: [MigrationFile], target targetFiles: [MigrationFile]
    )
        -> MigrationVerdict<DjangoAppTarget>
    {
        guard !targetFiles.isEmpty else { return .known(.zero) }
        do throws(MigrationFileProblem) {
            let target = try djangoMigrations(targetFiles)
            let now = try djangoMigrations(nowFiles)
            if let target, let now {
                let leaf = try DjangoGraph(app: app, migrations: target).leaf()
                let after = try DjangoGraph(app: app, migrations: now).descendants(of: leaf)
                if let stays = orphaned.first(where: { !after.contains($0) }) {
                    throw MigrationFileProblem.notLiteral(
                        "\(app).\(stays) is not after \(leaf) in what runs now: migrate \(app) \(leaf) would leave it applied")
                }
                return .known(.migration(leaf, basis: .dependencies))
            }
            let leaf = try DjangoGraph.highestNumbered(app: app, names: targetFiles.map(\.stem))
            let number = DjangoGraph.leadingNumber(leaf) ?? 0
            if let stays = orphaned.first(where: { (DjangoGraph.leadingNumber($0) ?? 0) <= number }) {
                throw MigrationFileProblem.notLiteral(
                    "a file's dependencies are not literal, and by its number \(app).\(stays) does not come after \(leaf)")
            }
            return .known(.migration(leaf, basis: .highestNumber))
        } catch {
            return .cannotTell(error.description)
        }
    }
}

/// Where a Django migration file sits: `shop/migrations/0002_x.py` is in the directory
/// `shop/migrations`, of the app `shop` (the label Django gives an app by default: the last
/// part of its module's name; an `AppConfig.label` or `MIGRATION_MODULES` set otherwise is not
/// read).
enum DjangoLocation {
    static func directory(of path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }

    /// The directory that holds `directory`, nil when `directory` is at the root.
    static func app(ofDirectory directory: String) -> String? {
        let components = directory.split(separator: "/", omittingEmptySubsequences: false)
        return components.count >= 2 ? String(components[components.count - 2]) : nil
    }
}

extension MigrationTool {
    /// Whether the tool would load the file at `path` as a migration: a `.py` file, which for
    /// alembic is not `__init__.py` or an editor's `.#` lock file, and for Django is a module
    /// whose name does not start with `_` or `~`. `files` takes every file its globs match.
    var isMigrationFile: (String) -> Bool {
        switch self {
        case .alembic:
            return { path in
                let name = path.split(separator: "/").last ?? ""
                return name.hasSuffix(".py") && !name.hasPrefix("__init__") && !name.hasPrefix(".#")
            }
        case .django:
            return { path in
                let name = path.split(separator: "/").last ?? ""
                return name.hasSuffix(".py") && !name.hasPrefix("_") && !name.hasPrefix("~")
            }
        case .files:
            return { _ in true }
        }
    }
}

extension MigrationGap: Encodable {
    /// For `--json` and reports: the tool, both commits, the orphaned files, the commands, what
    /// cannot be told, and the target as `RELEASE_GUARDIAN_MIGRATION_TARGET` gives it (absent
    /// when not wholly known).
    public func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case tool, now, target, orphanedFiles, commands, cannotTell, migrationTarget }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(tool.rawValue, forKey: .tool)
        try container.encode(now.hex, forKey: .now)
        try container.encode(target.hex, forKey: .target)
        try container.encode(orphanedFiles, forKey: .orphanedFiles)
        try container.encode(commands, forKey: .commands)
        try container.encode(cannotTell, forKey: .cannotTell)
        try container.encodeIfPresent(environment[Self.targetVariable], forKey: .migrationTarget)
    }
}
