import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The refs of one generated repository over a `GeneratedObjectStore`, written as plain files
/// into a fresh `.git`: loose refs (some symbolic, some overriding a packed value) and a
/// `packed-refs` in one of the forms git writes or reads (with or without the header, with
/// `peeled`, `fully-peeled` and `sorted` or not, records in order or not, peeled lines where
/// the header does not promise them left out), now and then damaged the way a crash, a disk or
/// a hand edit damages it.
///
/// Names are spelled as people spell versions (`v1.2.3`, `V1.2.3`, `1.2.3`, `v1.2`,
/// `v01.2.3`, `v1.2.3-rc.1`, build metadata, look-alikes) or not at all, some nested; branches
/// include main, release/vX.Y.Z rollbacks, maintenance branches (`release/v1.4`, `1.4.x`) and
/// remote-tracking refs. The model (`refs`, `value(of:)`) is what the generator wrote; the
/// readers under test never see it.
///
/// A header never lies (`sorted` over records out of order, `fully-peeled` with a peeled line
/// missing): git itself misreads such a file, and neither git nor libgit2 writes one.
public struct GeneratedRefs: Sendable {
    /// What a loose ref file holds.
    public enum Loose: Sendable, Equatable {
        case id(String)
        case symbolic(String)
        /// Not a ref as git reads one (garbage, truncated, empty).
        case broken(String)
    }

    public struct Ref: Sendable {
        public let name: String
        public var packed: String?
        public var loose: Loose?
    }

    /// Things git itself reads differently from a plain ref, tallied by the test.
    public enum Hazard: String, Sendable, CaseIterable {
        case damagedPackedRefs = "damaged packed-refs"
        case brokenLooseRef = "broken loose ref"
        case danglingSymbolicRef = "dangling symbolic ref"
        case badlyNamedRef = "badly named ref"
        case missingObject = "ref to a missing object"
    }

    public enum Objects: String, Sendable {
        /// `.git/objects` is a symlink to the store's: the file readers see its loose objects.
        case symlink
        /// `.git/objects/info/alternates` names the store: git and libgit2 read it, the file
        /// readers do not (their object answers are then all unknown).
        case alternates
    }

    public var refs: [Ref]
    /// The text of packed-refs as written, nil for no file.
    public let packedRefs: String?
    /// The header's traits (nil: no header line).
    public let traits: [String]?
    public let hazards: Set<Hazard>
    /// What was damaged, for messages.
    public let damage: String?
    public let objects: Objects
    /// What `.git/HEAD` holds: main, another branch, a detached commit, now and then spelled
    /// oddly (no line end, two spaces) or naming a tag.
    public let head: String

    // MARK: Names

    /// Spellings of a version: {M}, {m}, {p} and {n} stand for major, minor, patch and a small number.
    static let versionSpellings = [
        "v{M}.{m}.{p}", "v{M}.{m}.{p}", "v{M}.{m}.{p}", "v{M}.{m}.{p}", "V{M}.{m}.{p}", "{M}.{m}.{p}", "v{M}.{m}", "v0{M}.{m}.{p}",
        "v{M}.{m}.{p}-rc.{n}", "v{M}.{m}.{p}-beta", "v{M}.{m}.{p}+build.{n}", "v{M}.{m}.{p}.{n}", "v{M}", "release-{M}.{m}",
        "team/v{M}.{m}.{p}", "a/b/v{M}.{m}.{p}", "v{M}.{m}.{p}/hotfix",
        // Monorepo components' tags (the differential tests declare `gax-v` and `gax-tools-v`).
        "gax-v{M}.{m}.{p}", "gax-v{M}.{m}.{p}", "gax-V{M}.{m}.{p}", "gax-v{M}", "gax-tools-v{M}.{m}.{p}", "gax-tools-v{M}.{m}.{p}-rc.{n}",
    ]
    static let otherTagNames = [
        "nightly", "latest", "deploy/prod", "v", "vX.Y.Z", "v1.2.x", "ｖ1.2.3", "v1.2.3\u{200B}",
        "1.0", "v1.0.0-", "v1.0.0-rc.01", "v1.0.0+", "-v1.0.0", "v1.2.3.lock.d",
    ]
    public static let branchNames = [
        "main", "main", "side", "feature/x", "feature/deep/y", "release/v1.4", "release/v1.3",
        "release/v2", "release/v1.2.3", "release/v1.0.0", "1.4.x", "release/1.4.x", "maint/1.4.x",
        "hotfix/v1.3.x", "release/v1.4.x", "develop", "release/v01.4", "master",
    ]
    static let remoteNames = [
        "origin/main", "origin/release/v1.4", "origin/1.4.x", "origin/feature/x", "origin/release/v1.3",
        "upstream/main", "origin/side",
    ]
    static let otherRefs = [
        "refs/notes/commits", "refs/release-guardian/ledger", "refs/release-guardian/backups/production/1",
        "refs/stash", "refs/pull/1/head", "refs/bisect/bad", "refs/worktree/x",
    ]
    static let badNames = [
        "refs/tags/a b", "refs/tags/x..y", "refs/tags/end.", "refs/tags/q?", "refs/tags/t~1", "refs/heads/c:d",
        "refs/tags/star*", "refs/tags/we@{ird",
    ]

    /// A version-like tag name.
    public static func tagName(_ random: inout SeededRandom) -> String {
        if random.chance(0.15) { return random.pick(otherTagNames) }
        let (major, minor, patch) = (
            random.pick([0, 1, 1, 1, 1, 2, 2, 10]), random.pick([0, 1, 2, 3, 4, 4, 5, 10]), random.pick([0, 0, 1, 2, 3, 9, 10])
        )
        let number = random.pick([1, 2, 10])
        return random.pick(versionSpellings).replacingOccurrences(of: "{M}", with: "\(major)").replacingOccurrences(
            of: "{m}", with: "\(minor)"
        )
        .replacingOccurrences(of: "{p}", with: "\(patch)").replacingOccurrences(of: "{n}", with: "\(number)")
    }

    // MARK: Generation

    public init(_ random: inout SeededRandom, store: GeneratedObjectStore) {
        var hazards = Set<Hazard>()
        var values: [String: String] = [:]  // name → the value a plain ref has
        var symbolic: [String: String] = [:]  // name → target
        func object(forTag random: inout SeededRandom) -> String {
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<11: random.pick(store.tagsOfCommits)
            case 11..<17: random.pick(store.commits)
            case 17: random.pick(store.tagsOfTags)
            case 18: random.pick(store.tagsOfOthers)
            default: random.pick(store.trees + store.blobs)
            }
        }
        func commit(forBranch name: String, _ random: inout SeededRandom) -> String {
            let line: [String]
            if random.chance(0.2) {
                line = store.commits
            } else if name.hasSuffix("main") || name.hasSuffix("master") || name.hasSuffix("develop") {
                line = store.mainLine
            } else if name.contains("1.4") || name.contains("1.3") || name.contains("hotfix") {
                line = store.maintenanceLine
            } else if name.contains("release/v") {
                line = store.mainLine
            } else {
                line = store.sideLine
            }
            return random.pick(line)
        }
        // Tags.
        for _ in 0..<Int.random(in: 0...random.pick([3, 12, 30]), using: &random) {
            values["refs/tags/" + Self.tagName(&random)] = object(forTag: &random)
        }
        // Branches, remote-tracking branches, other refs.
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            let name = "refs/heads/" + random.pick(Self.branchNames)
            values[name] = commit(forBranch: name, &random)
        }
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let name = "refs/remotes/" + random.pick(Self.remoteNames)
            values[name] = commit(forBranch: name, &random)
        }
        if random.chance(0.3) { values[random.pick(Self.otherRefs)] = random.pick(store.commits) }
        if random.chance(0.02) {
            hazards.insert(.missingObject)
            values[values.keys.sorted().randomElement(using: &random) ?? "refs/tags/v1.0.0"] = random.pick(store.missing)
        }
        // Symbolic refs: origin's HEAD as clones have it, an alias now and then.
        if random.chance(0.5) {
            symbolic["refs/remotes/origin/HEAD"] = "refs/remotes/origin/main"
            if values["refs/remotes/origin/main"] == nil { values["refs/remotes/origin/main"] = random.pick(store.mainLine) }
        }
        if random.chance(0.1) {
            symbolic["refs/heads/alias"] = "refs/heads/main"
            if values["refs/heads/main"] == nil { values["refs/heads/main"] = random.pick(store.mainLine) }
        }
        let tagNames = values.keys.filter { $0.hasPrefix("refs/tags/") }.sorted()
        if random.chance(0.05), let target = tagNames.randomElement(using: &random) {
            symbolic["refs/tags/alias-of-" + target.dropFirst(10)] = target
        }
        if random.chance(0.02) {
            symbolic[random.pick(["refs/tags/dangling", "refs/remotes/origin/HEAD", "refs/heads/gone"])] = "refs/heads/no-such-branch"
        }

        // Where each ref is stored: packed, loose, or both (the loose value overriding).
        var refs: [String: Ref] = [:]
        for name in values.keys.sorted() {
            let value = values[name]!
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5: refs[name] = Ref(name: name, packed: value, loose: nil)
            case 5..<8: refs[name] = Ref(name: name, packed: nil, loose: .id(value))
            default:
                let old = name.hasPrefix("refs/tags/") ? object(forTag: &random) : commit(forBranch: name, &random)
                refs[name] = Ref(name: name, packed: old, loose: .id(value))
            }
        }
        for name in symbolic.keys.sorted() { refs[name] = Ref(name: name, packed: refs[name]?.packed, loose: .symbolic(symbolic[name]!)) }
        if random.chance(0.02) {
            // A ref file cut short or scribbled over: git hides the ref (and a packed value of it).
            hazards.insert(.brokenLooseRef)
            let name = refs.keys.sorted().randomElement(using: &random) ?? "refs/tags/v1.0.0"
            let content = random.pick([
                "", "garbage\n", String(random.pick(store.commits).prefix(39)) + "\n", "ref:\n", random.pick(store.commits) + "x\n",
            ])
            refs[name, default: Ref(name: name, packed: nil, loose: nil)].loose = .broken(content)
        }
        if random.chance(0.02) {
            hazards.insert(.badlyNamedRef)
            let name = random.pick(Self.badNames)
            refs[name] =
                random.chance(0.5)
                ? Ref(name: name, packed: random.pick(store.commits), loose: nil)
                : Ref(name: name, packed: nil, loose: .id(random.pick(store.commits)))
        }
        if random.chance(0.03), let name = refs.keys.sorted().randomElement(using: &random) {
            // A lock file of a write under way: no ref to git, libgit2 or the file readers.
            refs[name + ".lock"] = Ref(name: name + ".lock", packed: nil, loose: .id(random.pick(store.commits)))
        }
        // No name may be both a file and a directory (`v1.2.3` and `v1.2.3/hotfix`).
        for name in refs.keys.sorted() where refs.keys.contains(where: { $0.hasPrefix(name + "/") }) { refs[name] = nil }
        let sortedRefs = refs.values.sorted { $0.name < $1.name }
        for ref in sortedRefs {
            if case .symbolic = ref.loose, Self.resolve(ref.name, in: sortedRefs) == nil { hazards.insert(.danglingSymbolicRef) }
        }

        // packed-refs.
        let traits = random.pick(
            [
                ["peeled", "fully-peeled", "sorted"], ["peeled", "fully-peeled", "sorted"], ["peeled", "fully-peeled", "sorted"],
                ["peeled", "fully-peeled", "sorted"], ["peeled", "fully-peeled"], ["peeled"], ["peeled", "sorted"], ["sorted"], [],
                ["peeled", "fully-peeled", "sorted", "some-future-trait"], ["fully-peeled", "sorted", "peeled"], nil, nil,
            ] as [[String]?])
        let sorted = traits?.contains("sorted") ?? false
        let fullyPeeled = traits?.contains("fully-peeled") ?? false
        let peeledTags = fullyPeeled || (traits?.contains("peeled") ?? false)
        var packed = sortedRefs.compactMap { ref in ref.packed.map { (ref.name, $0) } }
        packed.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        if !sorted, random.chance(0.7) { packed.shuffle(using: &random) }
        var lines: [String] = []
        if let traits { lines.append("# pack-refs with:" + traits.map { " " + $0 }.joined() + " ") }
        for (name, id) in packed {
            lines.append("\(id) \(name)")
            // A peeled line for an annotated tag: always where the header promises it, else now and then.
            guard store.kinds[id] == "tag", let peeled = store.peeled[id] else { continue }
            if fullyPeeled || (peeledTags && name.hasPrefix("refs/tags/")) || random.chance(0.5) { lines.append("^" + peeled) }
        }
        var terminator = "\n"
        var damage: String?
        let records = lines.indices.filter { !lines[$0].hasPrefix("#") && !lines[$0].hasPrefix("^") }
        if random.chance(0.05), let index = records.randomElement(using: &random) {
            hazards.insert(.damagedPackedRefs)
            switch Int.random(in: 0..<8, using: &random) {
            case 0:
                damage = "no LF at the end"
            case 1:
                damage = "a value cut to 39 digits on line \(index + 1)"
                lines[index] = String(lines[index].prefix(39)) + String(lines[index].dropFirst(40))
            case 2:
                damage = "a garbage line before line \(index + 1)"
                lines.insert(random.pick(["garbage", "", "  ", "# not a header", "0000 refs/tags/x"]), at: index)
            case 3:
                damage = "a peeled line with a bad id before line \(index + 1)"
                lines.insert("^" + String(repeating: "z", count: 40), at: index)
            case 4:
                damage = "a peeled line first"
                lines.insert("^" + random.pick(store.commits), at: traits == nil ? 0 : 1)
            case 5:
                damage = "a control character in a name on line \(index + 1)"
                lines[index] += "\u{01}"
            case 6:
                damage = "CRLF line ends"
                terminator = "\r\n"
            default:
                damage = "a value and name without their space on line \(index + 1)"
                lines[index] = lines[index].replacingOccurrences(of: " ", with: "")
            }
        }
        var text: String? = lines.isEmpty && random.chance(0.5) ? nil : lines.map { $0 + terminator }.joined()
        if damage == "no LF at the end" { text = lines.joined(separator: "\n") }
        self.refs = sortedRefs
        packedRefs = text
        self.traits = traits
        self.hazards = hazards
        self.damage = damage
        objects = random.chance(0.8) ? .symlink : .alternates
        let branch = sortedRefs.map(\.name).filter { $0.hasPrefix("refs/heads/") }.randomElement(using: &random) ?? "refs/heads/main"
        head = random.pick([
            "ref: refs/heads/main\n", "ref: refs/heads/main\n", "ref: refs/heads/main\n", "ref: \(branch)\n", "ref: \(branch)\n",
            random.pick(store.commits) + "\n", "ref: refs/heads/main", "ref:  refs/heads/main\n", "ref: refs/tags/v1.0.0\n",
            "ref: refs/heads/unborn\n",
        ])
    }

    // MARK: The model

    /// The ref's value as git reads it (the loose value over the packed one, symbolic refs
    /// followed), nil when git would not read one. For the generator's own choices; the tests
    /// compare the readers with each other and with git, not with this.
    public func value(of name: String) -> String? { Self.resolve(name, in: refs) }

    static func resolve(_ name: String, in refs: [Ref]) -> String? {
        var current = name
        for _ in 0..<5 {
            guard let ref = refs.first(where: { $0.name == current }) else { return nil }
            switch ref.loose {
            case .id(let id): return id
            case .symbolic(let target): current = target
            case .broken: return nil
            case nil: return ref.packed
            }
        }
        return nil
    }

    public var names: [String] { refs.map(\.name) }

    /// Whether `name` is in packed-refs (and so may be answered from its peeled line).
    public func isPacked(_ name: String) -> Bool { refs.contains { $0.name == name && $0.packed != nil } }

    public func isLoose(_ name: String) -> Bool { refs.contains { $0.name == name && $0.loose != nil } }

    // MARK: Writing

    /// Writes a fresh repository at `directory` (`<directory>/.git`, an empty work tree): HEAD
    /// on main, a plain config, the object store borrowed, these refs.
    public func write(to directory: String, store: GeneratedObjectStore, config: String? = nil) throws {
        // Plain system calls: Foundation's file APIs cost more than the rest of a case.
        let git = directory + "/.git"
        try Self.makeDirectories(git + "/refs/heads")
        try Self.makeDirectories(git + "/refs/tags")
        try Self.writeFile(head, to: git + "/HEAD")
        let plainConfig = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n"
        try Self.writeFile(config ?? plainConfig, to: git + "/config")
        switch objects {
        case .symlink:
            guard symlink(store.objectsDirectory, git + "/objects") == 0 else {
                throw GeneratedRefsError.system("symlink", git + "/objects", errno)
            }
        case .alternates:
            try Self.makeDirectories(git + "/objects/info")
            try Self.makeDirectories(git + "/objects/pack")
            try Self.writeFile(store.objectsDirectory + "\n", to: git + "/objects/info/alternates")
        }
        if let packedRefs { try Self.writeFile(packedRefs, to: git + "/packed-refs") }
        for ref in refs {
            guard let loose = ref.loose else { continue }
            let path = git + "/" + ref.name
            try Self.makeDirectories(String(path[..<path.lastIndex(of: "/")!]))
            switch loose {
            case .id(let id): try Self.writeFile(id + "\n", to: path)
            case .symbolic(let target): try Self.writeFile("ref: " + target + "\n", to: path)
            case .broken(let text): try Self.writeFile(text, to: path)
            }
        }
    }

    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/") else { throw GeneratedRefsError.system("mkdir", path, errno) }
        try makeDirectories(String(path[..<slash]))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw GeneratedRefsError.system("mkdir", path, errno) }
    }

    public static func writeFile(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw GeneratedRefsError.system("open", path, errno) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw GeneratedRefsError.system("write", path, errno)
        }
    }

    /// Removes a tree written by `write` (the objects symlink, not what it points at).
    public static func remove(_ path: String) {
        guard let handle = opendir(path) else {
            unlink(path)
            return
        }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) { remove(child) } else { unlink(child) }
        }
        closedir(handle)
        rmdir(path)
    }
}

public enum GeneratedRefsError: Error, CustomStringConvertible {
    case system(String, String, Int32)

    public var description: String {
        switch self {
        case .system(let call, let path, let code): "\(call) \(path): \(String(cString: strerror(code)))"
        }
    }
}
