/// One Django migration file, as Django's `MigrationLoader` reads the `Migration` class in it:
/// `dependencies` (`("app", "0001_initial")` pairs; `migrations.swappable_dependency(…)` is an
/// app's `__first__`, which orders nothing within an app), `replaces` (a squashed migration's
/// list) and `run_before`. An attribute the class does not set is Django's default, empty.
public struct DjangoMigration: Equatable, Sendable {
    public struct Key: Hashable, Sendable, Comparable {
        public let app: String
        public let name: String

        public init(app: String, name: String) {
            self.app = app
            self.name = name
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.app, lhs.name) < (rhs.app, rhs.name) }
    }

    public let name: String
    public let dependencies: [Key]
    public let replaces: [Key]
    public let runBefore: [Key]

    public init(name: String, dependencies: [Key] = [], replaces: [Key] = [], runBefore: [Key] = []) {
        self.name = name
        self.dependencies = dependencies
        self.replaces = replaces
        self.runBefore = runBefore
    }

    static func parse(_ source: PythonSource, name: String, fileName: String) throws(MigrationFileProblem) -> DjangoMigration {
        guard let body = source.classScope(named: "Migration") else { throw .notLiteral("\(fileName) has no Migration class") }
        func keys(_ attribute: String) throws(MigrationFileProblem) -> [Key] {
            switch PythonSource.assignment(of: attribute, in: body) {
            case nil: return []
            case .unreadable(let line): throw .notLiteral("\(fileName) line \(line): Migration.\(attribute) is not a literal")
            case .literal(let literal):
                guard case .sequence(let elements) = literal else {
                    throw .notLiteral("\(fileName): Migration.\(attribute) is not a list of (app, name) pairs")
                }
                var keys: [Key] = []
                for element in elements {
                    if case .sequence(let pair) = element, pair.count == 2, case .string(let app) = pair[0],
                        case .string(let name) = pair[1]
                    {
                        keys.append(Key(app: app, name: name))
                    } else if case .call(let function) = element, attribute == "dependencies",
                        function.split(separator: ".").last == "swappable_dependency"
                    {
                        continue
                    } else {
                        throw .notLiteral("\(fileName): an entry of Migration.\(attribute) is not an (app, name) pair")
                    }
                }
                return keys
            }
        }
        return DjangoMigration(
            name: name, dependencies: try keys("dependencies"), replaces: try keys("replaces"), runBefore: try keys("run_before"))
    }
}

/// The migrations of one app at one commit, linked as Django's `MigrationLoader` links them:
/// dependencies on the app's own migrations (not `__first__`), `run_before` within the app, and
/// each squashed migration standing for the ones it `replaces` (Django does so when all or none
/// of them are applied, as for a database that ran every migration of the commit).
struct DjangoGraph {
    let app: String
    let nodes: Set<String>
    /// For each migration, the ones of the app that depend on it.
    let children: [String: Set<String>]

    /// Throws a sentence where Django would refuse the graph: a dependency on a migration that
    /// is not there, a cycle.
    init(app: String, migrations: [DjangoMigration]) throws(MigrationFileProblem) {
        var nodes = Set(migrations.map(\.name))
        var edges: Set<[String]> = []  // [parent, child]
        for migration in migrations {
            for dependency in migration.dependencies where dependency.app == app && dependency.name != "__first__" {
                edges.insert([dependency.name, migration.name])
            }
            for child in migration.runBefore where child.app == app {
                edges.insert([migration.name, child.name])
            }
        }
        for migration in migrations where !migration.replaces.isEmpty {
            let replaced = Set(migration.replaces.filter { $0.app == app }.map(\.name))
            nodes.subtract(replaced)
            edges = Set(
                edges.compactMap { edge in
                    let parent = replaced.contains(edge[0]) ? migration.name : edge[0]
                    let child = replaced.contains(edge[1]) ? migration.name : edge[1]
                    return parent == child ? nil : [parent, child]
                })
        }
        for edge in edges.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            for end in edge where !nodes.contains(end) {
                let other = end == edge[0] ? edge[1] : edge[0]
                throw .notLiteral("\(app).\(other) depends on \(app).\(end), which is not there")
            }
        }
        var children: [String: Set<String>] = [:]
        for edge in edges { children[edge[0], default: []].insert(edge[1]) }
        self.app = app
        self.nodes = nodes
        self.children = children
        // Kahn's algorithm: every migration is ordered, or some of them loop.
        var incoming = Dictionary(uniqueKeysWithValues: nodes.map { ($0, 0) })
        for edge in edges { incoming[edge[1], default: 0] += 1 }
        var ready = incoming.filter { $0.value == 0 }.map(\.key)
        var ordered = 0
        while let next = ready.popLast() {
            ordered += 1
            for child in children[next] ?? [] {
                incoming[child]! -= 1
                if incoming[child] == 0 { ready.append(child) }
            }
        }
        guard ordered == nodes.count else { throw .notLiteral("the migrations of \(app) depend on each other in a cycle") }
    }

    /// The leaf: the one migration no other of the app depends on (`MigrationGraph.leaf_nodes`).
    /// Throws where there are several: a conflict Django asks to merge.
    func leaf() throws(MigrationFileProblem) -> String {
        let leaves = nodes.filter { (children[$0] ?? []).isEmpty }.sorted()
        guard leaves.count == 1 else {
            throw .notLiteral(
                "\(app) has \(leaves.count) last migrations (\(leaves.joined(separator: ", "))): a conflict Django wants merged (makemigrations --merge)"
            )
        }
        return leaves[0]
    }

    /// The migrations after `name`: the ones `migrate APP NAME` undoes.
    func descendants(of name: String) -> Set<String> {
        var seen: Set<String> = []
        var pending = [name]
        while let next = pending.popLast() {
            for child in children[next] ?? [] where seen.insert(child).inserted { pending.append(child) }
        }
        return seen
    }

    /// The number a migration's name starts with (`0004_…` → 4), as `makemigrations` numbers them.
    static func leadingNumber(_ name: String) -> Int? {
        Int(name.prefix(while: { $0.isASCII && $0.isNumber }))
    }

    /// The name with the highest leading number, when exactly one has it and every name starts
    /// with digits.
    static func highestNumbered(app: String, names: [String]) throws(MigrationFileProblem) -> String {
        var best: (number: Int, names: [String])?
        for name in names {
            guard let number = leadingNumber(name) else { throw .notLiteral("\(app).\(name) has no number to order it by") }
            if best == nil || number > best!.number {
                best = (number, [name])
            } else if number == best!.number {
                best!.names.append(name)
            }
        }
        guard let best, best.names.count == 1 else {
            throw .notLiteral(
                "\(app) has no single highest-numbered migration (\((best?.names ?? []).sorted().joined(separator: ", ")))")
        }
        return best.names[0]
    }
}
