import Foundation
import Git
import GitFiles
import Glibc
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The file readers held to libgit2 and to git over generated repositories (issue 9): one object
/// store per run (`GeneratedObjectStore`), then per case only ref files (`GeneratedRefs`), and
/// every question of the reading port asked of each:
///
/// 1. every `RepositoryFiles` answer equals `LibGit2Reader`'s or is `.unknown`; where the file
///    reader throws (a damaged packed-refs), git fails too (`git for-each-ref`, else `git show-ref`);
/// 2. the tag listings of the file reader and of libgit2 equal `git for-each-ref refs/tags`, but
///    for what libgit2 is known to read more laxly than git (counted, and the file reader must
///    side with git);
/// 3. the policy's verdict on generated pushes with generated settings is the same through
///    `RepositoryReader` (files first) as through `LibGit2Reader`, errors included.
///
/// `REPOSITORY_DIFFERENTIAL_CASES` sets the number of cases (default 2,400, in four shards that
/// run in parallel, each its own stream of the seed); `RELEASE_GUARDIAN_TEST_SEED` another seed,
/// to explore further or to replay a failure (a failure names its seed, shard and case; the
/// object store's ids are the same on every run). `REPOSITORY_DIFFERENTIAL_REPORT` sets how many
/// failing cases are reported in full (3).
struct RepositoryDifferentialTests {
    static let shards = 4
    static var cases: Int { Int(ProcessInfo.processInfo.environment["REPOSITORY_DIFFERENTIAL_CASES"] ?? "") ?? 2_400 }

    @Test(arguments: 0..<shards)
    func fileReadersAgreeWithLibgit2AndGitOnGeneratedRepositories(shard: Int) throws {
        let started = Date()
        let store = GeneratedObjectStore.shared
        let scratch = try Scratch()
        let base = GeneratedObjectStore.memoryDirectory + "/release-guardian-cases-\(getpid())-\(shard)"
        defer { GeneratedRefs.remove(base) }
        var random = SeededRandom(seed: 90_210, stream: UInt64(shard))
        var tally = DifferentialTally()
        let count = Self.cases / Self.shards + (shard < Self.cases % Self.shards ? 1 : 0)
        for index in 0..<count {
            let refs = GeneratedRefs(&random, store: store)
            let directory = base + "/case-\(index)"
            try refs.write(to: directory, store: store)
            let differential = try RepositoryDifferentialCase(
                refs: refs, directory: directory, store: store, environment: scratch.environment)
            differential.run(&random, tally: &tally)
            if !differential.problems.isEmpty {
                tally.failedCases += 1
                if tally.failedCases <= Int(ProcessInfo.processInfo.environment["REPOSITORY_DIFFERENTIAL_REPORT"] ?? "") ?? 3 {
                    Issue.record(
                        """
                        seed \(random.seed), shard \(shard), case \(index) (RELEASE_GUARDIAN_TEST_SEED=\(random.seed) REPOSITORY_DIFFERENTIAL_CASES=\(Self.cases) replays it): \(differential.problems.count) disagreements
                        \(differential.problems.prefix(6).joined(separator: "\n"))
                        \(differential.summary)
                        """)
                }
            }
            GeneratedRefs.remove(directory)
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "RepositoryDifferentialTests shard \(shard): seed \(random.seed), \(count) repositories in \(String(format: "%.1f", seconds)) s (the object store of \(store.allObjects.count) objects, \(store.loose.count) loose, built in \(String(format: "%.1f", store.buildSeconds)) s); \(tally)"
        )
        #expect(tally.failedCases == 0, "seed \(random.seed), shard \(shard): \(tally.failedCases) of \(count) cases disagree")
        // The generator must reach every kind of answer, or the comparisons prove little.
        guard count >= 100 else { return }
        #expect(tally.known["target"]! > count * 5, "\(tally.known)")
        #expect(tally.unknown["target"]! > count / 10, "\(tally.unknown)")
        #expect(tally.known["kind"]! > count && tally.unknown["kind"]! > count, "\(tally.known) \(tally.unknown)")
        #expect(tally.known["range"]! > count && tally.unknown["range"]! > count / 10, "\(tally.known) \(tally.unknown)")
        #expect(
            tally.known["packedTagNames"]! > count / 3 && tally.unknown["packedTagNames"]! > count / 20, "\(tally.known) \(tally.unknown)")
        #expect(tally.verdicts > count && tally.refusingVerdicts > count / 4 && tally.allowingVerdicts > count / 4, "\(tally)")
        if count >= 400 {
            #expect(
                tally.fileRefused > 0 && tally.gitRefusedListing > 0 && tally.damagedLookupsAgreeingWithGit > 0,
                "no damaged packed-refs came up: \(tally)")
            #expect(
                tally.rules["tag-order", default: 0] > 0 && tally.rules["tag-skip", default: 0] > 0
                    && tally.rules["main-force", default: 0] > 0
                    && tally.rules["maintenance-branch", default: 0] > 0 && tally.rules["release-branch", default: 0] > 0, "\(tally.rules)")
        }
    }
}

/// What the cases of one shard came to.
struct DifferentialTally: CustomStringConvertible {
    var failedCases = 0
    var known: [String: Int] = Dictionary(uniqueKeysWithValues: RepositoryDifferentialCase.questions.map { ($0, 0) })
    var unknown: [String: Int] = Dictionary(uniqueKeysWithValues: RepositoryDifferentialCase.questions.map { ($0, 0) })
    /// Tag names compared with `git for-each-ref`.
    var tagNamesCompared = 0
    /// Values looked up many at a time (`ReferenceValues`) compared with `referenceValues(under:)`.
    var referenceLookups = 0
    var verdicts = 0
    var refusingVerdicts = 0
    var allowingVerdicts = 0
    var bothReadersRefused = 0
    /// The rules that refused, by id, over the verdicts the two readers agreed on.
    var rules: [String: Int] = [:]
    /// Cases where the file reader threw RefFilesError (and git failed too).
    var fileRefused = 0
    var gitRefusedListing = 0
    /// The file reader answered from a damaged packed-refs where libgit2, which reads the whole
    /// file, refused it (git reads only the lines a lookup visits, as the file reader does).
    var answeredWhereLibgit2RefusedDamage = 0
    /// Lookups in a damaged packed-refs the file reader answered as `git show-ref --verify` does.
    var damagedLookupsAgreeingWithGit = 0
    /// Lookups in a damaged sorted packed-refs where git's binary search misread or died on a
    /// damaged line the file reader's did not visit, and the file reader answered what was written.
    var damagedLookupsGitMisreads = 0
    /// Hazards that came up, and where libgit2 read them otherwise than git (listing refs git
    /// hides: known libgit2 laxness; refusing a question the file reader answers as git does).
    var hazards: [String: Int] = [:]
    var libgit2Differences: [String: Int] = [:]

    var description: String {
        func counts(_ map: [String: Int]) -> String {
            map.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        return "known answers: \(counts(known)); unknown: \(counts(unknown)); \(tagNamesCompared) tag names compared with git; "
            + "\(referenceLookups) values looked up many at a time; "
            + "\(verdicts) verdicts compared (\(refusingVerdicts) refusing, \(allowingVerdicts) allowing, \(bothReadersRefused) errors on both; rules \(counts(rules))); "
            + "file reader refused \(fileRefused) damaged files (git refused \(gitRefusedListing) listings); "
            + "\(answeredWhereLibgit2RefusedDamage) answers from damaged files libgit2 refuses whole (\(damagedLookupsAgreeingWithGit) lookups in them agreeing with git show-ref --verify, \(damagedLookupsGitMisreads) where git's search misread a damaged line and the file reader answered what was written); hazards: \(counts(hazards)); "
            + "libgit2 where it differs from git: \(counts(libgit2Differences)); \(failedCases) failed cases"
    }
}

/// One generated repository and every question asked of it.
final class RepositoryDifferentialCase {
    static let questions = [
        "target", "kind", "contains", "peeledCommit", "isAncestor", "referenceNames", "range", "packedTagNames",
        "fullReferenceName", "headBranch",
    ]
    static let globs = [
        "refs/tags/v1.*", "refs/tags/*", "refs/heads/release/v*", "refs/heads/*.x", "refs/remotes/origin/*", "refs/heads/*",
        "refs/*", "refs/tags/v[0-9]*", "refs/tags/team/*", "refs/heads/release/*", "refs/tags/v1.2.*", "refs/remotes/*/main",
        "refs/tags/v1.?.0", "refs/tags/nothing-*",
    ]
    static let bounds = ["", "v", "v1", "v1.", "v1.2.", "v1.2/", "v1.0", "v1.1", "v1/", "v:", "V", "1", "a", "team/", "v10.", "v2.0", "ｖ"]

    let refs: GeneratedRefs
    let store: GeneratedObjectStore
    let gitDirectory: String
    let environment: [String: String]
    let files: RepositoryFiles
    private let sharedLibgit2: LibGit2Reader
    /// libgit2's reader. On a damaged packed-refs, a fresh one per question: libgit2 1.5 refuses
    /// the file once, then reads it as empty through the same handle (its cache of the file is
    /// stamped before it is parsed), so only its first answer is its answer.
    var libgit2: LibGit2Reader {
        guard damaged, let repository = try? Repository.open(at: gitDirectory) else { return sharedLibgit2 }
        return LibGit2Reader(repository)
    }
    /// `git for-each-ref`: each ref's value by name, or nil when git refuses the refs.
    let gitRefs: [String: String]?
    private(set) var problems: [String] = []
    /// A file-reader question threw RefFilesError.
    private var fileThrew: String?

    init(refs: GeneratedRefs, directory: String, store: GeneratedObjectStore, environment: [String: String]) throws {
        self.refs = refs
        self.store = store
        self.environment = environment
        gitDirectory = directory + "/.git"
        let layout = try #require(
            RepositoryLayout.at(gitDirectory: gitDirectory, workTree: directory, environment: { _ in nil }),
            "a plain generated repository must have a file reader")
        files = RepositoryFiles(layout: layout)
        sharedLibgit2 = LibGit2Reader(try Repository.open(at: gitDirectory))
        gitRefs = ConfigFileDifferentialTests.spawnGit(
            ["--git-dir=" + gitDirectory, "for-each-ref", "--format=%(objectname) %(refname)"],
            environment: environment
        ).map { output in
            var values: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 1)
                values[String(fields[1])] = String(fields[0])
            }
            return values
        }
    }

    var summary: String {
        let loose = refs.refs.compactMap { ref in ref.loose.map { "  \(ref.name): \($0)" } }.joined(separator: "\n")
        return "hazards \(refs.hazards.map(\.rawValue).sorted()), damage \(refs.damage ?? "none"), objects \(refs.objects)\n"
            + "packed-refs:\n\(refs.packedRefs.map { $0.debugDescription } ?? "(none)")\nloose:\n\(loose)"
    }

    private func problem(_ text: String) { problems.append(text) }

    private var damaged: Bool { refs.hazards.contains(.damagedPackedRefs) }
    /// Hazards under which libgit2 may refuse a question (a name it cannot look up) or list more.
    private var hazardous: Bool { !refs.hazards.isEmpty }

    /// The file reader's answer, or nil when it threw (noted, to hold against git at the end).
    private func fromFiles<T>(
        _ question: String, _ body: () throws(RefFilesError) -> Answer<T>, tally: inout DifferentialTally
    ) -> Answer<T>? {
        do {
            let answer = try body()
            if case .known = answer { tally.known[question, default: 0] += 1 } else { tally.unknown[question, default: 0] += 1 }
            return answer
        } catch {
            fileThrew = fileThrew ?? "\(question): \(error.message)"
            return nil
        }
    }

    /// libgit2's answer, or its refusal.
    private func fromLibgit2<T>(_ body: () throws(ReadError) -> T) -> Result<T, ReadError> {
        Result(body)
    }

    /// A known file answer against libgit2's: equal; or, on a hazard, equal to git's (`git`)
    /// where libgit2 lists what git hides; or libgit2 refused a damaged packed-refs it reads
    /// whole, where the file reader, as git, read only the lines it needed.
    private func compare<T: Equatable>(
        _ question: String, _ mine: T, _ theirs: Result<T, ReadError>, git: T? = nil, tally: inout DifferentialTally
    ) {
        switch theirs {
        case .success(let value) where value == mine: return
        case .success where hazardous && git == mine:
            // The file reader sides with git where libgit2 lists what git hides.
            tally.libgit2Differences["lists refs git hides: \(question.prefix { $0 != "(" })", default: 0] += 1
        case .success(let value): problem("\(question): files \(mine), libgit2 \(value)\(git.map { ", git \($0)" } ?? "")")
        case .failure where damaged: tally.answeredWhereLibgit2RefusedDamage += 1
        case .failure where hazardous: tally.libgit2Differences["refuses on a hazard: \(question.prefix { $0 != "(" })", default: 0] += 1
        case .failure(let error): problem("\(question): files \(mine), libgit2 refuses: \(error)")
        }
    }

    func run(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        for hazard in refs.hazards { tally.hazards[hazard.rawValue, default: 0] += 1 }
        checkListing(&tally)
        checkTargets(&random, tally: &tally)
        checkObjects(&random, tally: &tally)
        checkNames(&random, tally: &tally)
        checkShortNames(&random, tally: &tally)
        checkReferenceValues(&random, tally: &tally)
        checkPortAnswers(&random, tally: &tally)
        checkVerdicts(&random, tally: &tally)
        // A file reader that refuses must be refusing what git refuses.
        if let fileThrew {
            tally.fileRefused += 1
            if gitRefs != nil,
                ConfigFileDifferentialTests.spawnGit(["--git-dir=" + gitDirectory, "show-ref"], environment: environment) != nil
            {
                problem("the file reader refuses (\(fileThrew)) where git for-each-ref and git show-ref read the refs")
            }
        }
    }

    // MARK: Many values at once against one map

    /// `ReferenceValues` (a cursor over packed-refs, names asked in the order of a remote's
    /// advertisement, then in any order) against `referenceValues(under:)` (one pass into a map),
    /// for the refs under two prefixes, names the repository lacks among them.
    private func checkReferenceValues(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        guard !damaged else { return }  // a lookup reads only the lines it visits; the map all
        let directory = gitDirectory
        let reader = RepositoryReader(files: files, open: { () throws(GitError) in try Repository.open(at: directory) })
        let prefixes = [RefName.tagsPrefix, "refs/remotes/origin/"]
        var expected: [String: ObjectID] = [:]
        do {
            for prefix in prefixes { expected.merge(try reader.referenceValues(under: prefix)) { a, _ in a } }
        } catch {
            return problem("referenceValues refuses: \(error)")
        }
        var names = Set(refs.names.filter { name in prefixes.contains { name.hasPrefix($0) } } + expected.keys)
        for name in refs.names.prefix(8) where name.hasPrefix(RefName.tagsPrefix) {
            names.formUnion([name + "x", String(name.dropLast()), name + "/x", name + "^{}"])
        }
        names.formUnion(["refs/tags/", "refs/tags/0", "refs/tags/~", "refs/remotes/origin/main", "refs/remotes/origin/zzz"])
        let ascending = names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for order in [ascending, ascending.shuffled(using: &random), ascending.reversed()] {
            do {
                let (found, listed) = try reader.withReferenceValues(under: prefixes) { values throws(ReadError) in
                    var found: [ObjectID?] = []
                    for name in order { found.append(try values.value(of: name)) }
                    return (found, try values.names(under: "refs/remotes/origin/"))
                }
                for (name, value) in zip(order, found) where value != expected[name] {
                    problem("ReferenceValues(\(name)): \(value?.hex ?? "none"), referenceValues \(expected[name]?.hex ?? "none")")
                }
                let expectedNames = Set(expected.keys.filter { $0.hasPrefix("refs/remotes/origin/") })
                if listed != expectedNames {
                    problem("ReferenceValues names: \(listed.sorted()), referenceValues \(expectedNames.sorted())")
                }
                tally.referenceLookups += order.count
            } catch {
                problem("ReferenceValues refuses where referenceValues reads: \(error)")
            }
        }
    }

    // MARK: 2. The listing against git

    private func checkListing(_ tally: inout DifferentialTally) {
        var mine = Set<String>()
        var fileListing: Set<String>?
        do {
            try files.forEachTagName { mine.insert(String(decoding: $0, as: UTF8.self)) }
            fileListing = mine
        } catch {
            fileThrew = fileThrew ?? "forEachTagName: \(error.message)"
        }
        var theirs = Set<String>()
        let libgit2Listing = (try? libgit2.forEachTagName { theirs.insert(String(decoding: $0, as: UTF8.self)) }).map { theirs }
        guard let gitRefs else {
            tally.gitRefusedListing += 1
            if let fileListing { problem("git refuses the refs, the file reader lists tags \(fileListing.sorted())") }
            return
        }
        let git = Set(gitRefs.keys.compactMap { RefName.tagName(of: $0) })
        tally.tagNamesCompared += git.count
        if let fileListing, fileListing != git {
            problem(
                "tag listing: git \(git.sorted()), files \(fileListing.sorted()) (only files: \(fileListing.subtracting(git).sorted()), only git: \(git.subtracting(fileListing).sorted()))"
            )
        }
        switch libgit2Listing {
        case let listing? where listing == git: break
        case let listing? where listing.isSuperset(of: git) && hazardous:
            // libgit2 lists what git hides (a broken loose ref and the packed value behind it, a
            // dangling symbolic ref, a badly named ref): known libgit2 laxness, as bad_tag.git.
            tally.libgit2Differences[
                "lists tags git hides (\(refs.hazards.map(\.rawValue).sorted().joined(separator: " + ")))", default: 0] += 1
        case let listing?: problem("tag listing: git \(git.sorted()), libgit2 \(listing.sorted())")
        case nil where hazardous: tally.libgit2Differences["refuses a listing git reads", default: 0] += 1
        case nil: problem("libgit2 refuses a tag listing git reads: \(git.sorted())")
        }
    }

    // MARK: 1. Each file answer against libgit2's (and against git's values)

    private func checkTargets(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        var names =
            refs.names + [
                "refs/tags/none", "refs/heads/nope", "refs/tags/v1", "refs/tags/v1.2", "refs/heads/release", "HEAD",
                "refs/tags/", "refs/tags/a..b", "refs/remotes/origin/HEAD", "refs/tags/zzz", "refs/heads/main", "refs/tags/0",
            ]
        for name in refs.names.prefix(6) { names += [String(name.dropLast()), name + "x", name + "/x"] }
        for name in names {
            guard let answer = fromFiles("target", { () throws(RefFilesError) in try files.target(ofReference: name) }, tally: &tally),
                case .known(let mine) = answer
            else { continue }
            if damaged {
                // git reads a damaged packed-refs lazily too: a lookup checks the last record,
                // sorts an unsorted file first (checking each line's length), then reads the
                // lines its binary search visits. Each lookup must answer as `git show-ref
                // --verify`'s; where git's binary search misreads a damaged line (it takes a
                // name to start at byte 41) or visits one the file reader's does not, the file
                // reader's answer must be what was written.
                let git = Self.git(["--git-dir=" + gitDirectory, "show-ref", "--verify", name], environment: environment)
                let written = refs.value(of: name).flatMap { ObjectID(hex: $0) }
                let sorted = refs.traits?.contains("sorted") ?? false
                var gitValue: ObjectID?
                if git.status == 0 {
                    gitValue = git.output.split(separator: " ").first.flatMap { ObjectID(hex: String($0)) }
                } else if let range = git.output.range(of: "bad ref \(name) (") {  // found, its object missing
                    gitValue = ObjectID(hex: String(git.output[range.upperBound...].prefix(40)))
                }
                let gitAnswered = git.status == 0 || gitValue != nil || git.output.contains("not a valid ref")
                if gitAnswered ? gitValue == mine : false {
                    tally.damagedLookupsAgreeingWithGit += 1
                } else if sorted, mine == written {
                    tally.damagedLookupsGitMisreads += 1
                } else {
                    problem(
                        "target(\(name)) in a damaged packed-refs: files \(mine?.hex ?? "none"), written \(written?.hex ?? "none"), git show-ref --verify exits \(git.status): \(git.output)"
                    )
                }
                continue
            }
            compare("target(\(name))", mine, fromLibgit2 { () throws(ReadError) in try libgit2.target(ofReference: name) }, tally: &tally)
            // git's value of each ref it lists; a ref git does not list the file reader must not find.
            if let gitRefs {
                let git = gitRefs[name].flatMap { ObjectID(hex: $0) }
                if git != mine, !(refs.hazards.contains(.badlyNamedRef) && git == nil) {
                    problem("target(\(name)): files \(mine?.hex ?? "none"), git \(git?.hex ?? "none")")
                }
            }
        }
    }

    private func checkObjects(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        var ids = refs.refs.flatMap { [$0.packed, refs.value(of: $0.name)] }.compactMap { $0 }
        for _ in 0..<10 { ids.append(random.pick(store.allObjects)) }
        ids += store.missing
        for hex in Set(ids).sorted() {
            let id = ObjectID(hex: hex)!
            if let answer = fromFiles("kind", { () throws(RefFilesError) in files.kind(of: id) }, tally: &tally),
                case .known(let kind) = answer
            {
                compare("kind(\(hex))", kind, fromLibgit2 { () throws(ReadError) in try libgit2.kind(of: id) }, tally: &tally)
                if "\(kind)" != store.kinds[hex] { problem("kind(\(hex)): files \(kind), git \(store.kinds[hex] ?? "missing")") }
            }
            if let answer = fromFiles("contains", { () throws(RefFilesError) in files.contains(id) }, tally: &tally),
                case .known(let found) = answer
            {
                compare("contains(\(hex))", found, fromLibgit2 { () throws(ReadError) in try libgit2.contains(id) }, tally: &tally)
            }
            if let answer = fromFiles("peeledCommit", { () throws(RefFilesError) in files.peeledCommit(of: id) }, tally: &tally),
                case .known(let commit) = answer
            {
                compare(
                    "peeledCommit(\(hex))", commit, fromLibgit2 { () throws(ReadError) in try libgit2.peeledCommit(of: id) }, tally: &tally)
            }
        }
        for index in 0..<6 {
            let ancestor = random.pick(store.commits)
            let commit = index == 0 ? ancestor : random.pick(store.commits)
            let (a, c) = (ObjectID(hex: ancestor)!, ObjectID(hex: commit)!)
            if let answer = fromFiles("isAncestor", { () throws(RefFilesError) in files.isAncestor(a, of: c) }, tally: &tally),
                case .known(let yes) = answer
            {
                compare(
                    "isAncestor(\(ancestor), \(commit))", yes,
                    fromLibgit2 { () throws(ReadError) in try libgit2.isAncestor(a, of: c, many: random.chance(0.5)) }, tally: &tally)
            }
        }
    }

    private func checkNames(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        for glob in Self.globs.shuffled(using: &random).prefix(6) {
            guard
                let answer = fromFiles(
                    "referenceNames", { () throws(RefFilesError) in try files.referenceNames(matching: glob) }, tally: &tally),
                case .known(let mine) = answer
            else { continue }
            compare(
                "referenceNames(\(glob))", mine, fromLibgit2 { () throws(ReadError) in try libgit2.referenceNames(matching: glob) },
                git: gitRefs.map { $0.keys.filter { fnmatch(glob, $0, 0) == 0 }.sorted() }, tally: &tally)
        }
        let tagNames = refs.names.compactMap { RefName.tagName(of: $0) }
        for _ in 0..<5 {
            var lower = random.chance(0.7) ? random.pick(Self.bounds) : (tagNames.randomElement(using: &random) ?? "")
            var upper: String? =
                random.chance(0.2) ? nil : (random.chance(0.7) ? random.pick(Self.bounds) : tagNames.randomElement(using: &random))
            if let bound = upper, bound.utf8.lexicographicallyPrecedes(lower.utf8) { (lower, upper) = (bound, lower) }
            var mine = Set<String>()
            guard
                let answer = fromFiles(
                    "range",
                    { () throws(RefFilesError) in
                        try files.forEachTagName(from: lower, to: upper) { mine.insert(String(decoding: $0, as: UTF8.self)) }
                    }, tally: &tally), case .known = answer
            else { continue }
            var theirs = Set<String>()
            compare(
                "forEachTagName(from: \(lower), to: \(upper ?? "nil"))", mine,
                fromLibgit2 { () throws(ReadError) in
                    try libgit2.forEachTagName(from: lower, to: upper) { theirs.insert(String(decoding: $0, as: UTF8.self)) }
                    return theirs
                }, git: gitTagNames(from: lower, to: upper), tally: &tally)
        }
        // packedTagNames(peelingTo:): the packed tags (loose ones excluded) libgit2 peels to each commit.
        guard let loose = try? files.looseReferenceNames(under: RefName.tagsPrefix) else { return }
        let excluded = Set(loose.map { String($0.dropFirst(RefName.tagsPrefix.count)) })
        var commits = Set((0..<4).map { _ in ObjectID(hex: random.pick(store.commits))! })
        for ref in refs.refs.shuffled(using: &random).prefix(4) {
            if let value = refs.value(of: ref.name), let peeled = store.peeled[value], store.kinds[peeled] == "commit" {
                commits.insert(ObjectID(hex: peeled)!)
            }
        }
        guard
            let answer = fromFiles(
                "packedTagNames", { () throws(RefFilesError) in try files.packedTagNames(peelingTo: commits, excluding: excluded) },
                tally: &tally), case .known(let mine) = answer
        else { return }
        let packedTags = Set(refs.refs.filter { $0.packed != nil }.compactMap { RefName.tagName(of: $0.name) }).subtracting(excluded)
        compare(
            "packedTagNames(\(commits.map(\.short).sorted()))", Self.sets(mine),
            fromLibgit2 { () throws(ReadError) in
                Self.sets(try libgit2.tagNames(pointingAt: commits)).mapValues { $0.intersection(packedTags) }.filter { !$0.value.isEmpty }
            },
            tally: &tally)
    }

    /// git's exit status and output (stdout and stderr).
    static func git(_ arguments: [String], environment: [String: String]) -> (status: Int32, output: String) {
        spawnGit(arguments, environment: environment, mergingStderr: true)
    }

    /// git's tag names from `lower` (included) to `upper` (excluded), compared as bytes.
    private func gitTagNames(from lower: String, to upper: String?) -> Set<String>? {
        gitRefs.map { refs in
            Set(
                refs.keys.compactMap { RefName.tagName(of: $0) }.filter { name in
                    !name.utf8.lexicographicallyPrecedes(lower.utf8) && (upper.map { name.utf8.lexicographicallyPrecedes($0.utf8) } ?? true)
                })
        }
    }

    static func sets(_ found: [ObjectID: [String]]) -> [ObjectID: Set<String>] {
        found.mapValues(Set.init).filter { !$0.value.isEmpty }
    }

    /// What short names mean (`git_reference_dwim`'s rules) and which branch HEAD names.
    private func checkShortNames(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        var names = [
            "main", "origin", "origin/main", "HEAD", "heads/main", "tags/v1.0.0", "v1.0.0", "release/v1.4", "nope", "refs/heads/main",
            "origin/HEAD", "upstream", "1.4.x", "remotes/origin/main",
        ]
        for ref in refs.refs.shuffled(using: &random).prefix(6) {
            for prefix in ["refs/tags/", "refs/heads/", "refs/remotes/", "refs/"] where ref.name.hasPrefix(prefix) {
                names.append(String(ref.name.dropFirst(prefix.count)))
            }
        }
        for name in names {
            guard
                let answer = fromFiles(
                    "fullReferenceName", { () throws(RefFilesError) in try files.fullReferenceName(for: name) }, tally: &tally),
                case .known(let mine) = answer
            else { continue }
            compare(
                "fullReferenceName(\(name))", mine, fromLibgit2 { () throws(ReadError) in try libgit2.fullReferenceName(for: name) },
                tally: &tally)
        }
        if let answer = fromFiles("headBranch", { () throws(RefFilesError) in files.headBranch() }, tally: &tally),
            case .known(let mine) = answer
        {
            compare("headBranch", mine, fromLibgit2 { () throws(ReadError) in try libgit2.headBranch() }, tally: &tally)
        }
        let name = names.randomElement(using: &random)!
        compareReaders("fullReferenceName(\(name))", { reader throws(ReadError) in try reader.fullReferenceName(for: name) }, tally: &tally)
        compareReaders("headBranch", { reader throws(ReadError) in try reader.headBranch() }, tally: &tally)
    }

    // MARK: The port's composed questions, file-first against libgit2 alone

    private func fileFirst() -> RepositoryReader {
        let gitDirectory = gitDirectory
        return RepositoryReader(files: files) { () throws(GitError) in try Repository.open(at: gitDirectory) }
    }

    /// Both readers' answers, equal or both refused (or, on a damaged file, one refused).
    private func compareReaders<T: Equatable>(
        _ question: String, git: T? = nil, _ body: (any RepositoryReading) throws(ReadError) -> T,
        tally: inout DifferentialTally
    ) {
        let mine = Result { () throws(ReadError) in try body(fileFirst()) }
        let theirs = Result { () throws(ReadError) in try body(libgit2) }
        switch (mine, theirs) {
        case (.success(let a), .success(let b)) where a == b: break
        case (.success(let a), .success) where hazardous && git == a:
            tally.libgit2Differences["lists refs git hides: \(question.prefix { $0 != "(" })", default: 0] += 1
        case (.failure, .failure): break
        case (.failure(.refFiles(let error)), .success) where damaged: fileThrew = fileThrew ?? "\(question): \(error.message)"
        case (.success, .failure) where damaged: tally.answeredWhereLibgit2RefusedDamage += 1
        case (.success, .failure) where hazardous:
            tally.libgit2Differences["refuses on a hazard: \(question.prefix { $0 != "(" })", default: 0] += 1
        default: problem("\(question): RepositoryReader \(mine), LibGit2Reader \(theirs)")
        }
    }

    private func checkPortAnswers(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        for prefix in ["refs/tags/", "refs/heads/", "refs/remotes/origin/"] {
            let git = gitRefs.map { refs in
                Dictionary(
                    uniqueKeysWithValues: refs.filter { $0.key.hasPrefix(prefix) }.compactMap { name, hex in
                        ObjectID(hex: hex).map { (name, $0) }
                    })
            }
            compareReaders(
                "referenceValues(under: \(prefix))", git: git, { reader throws(ReadError) in try reader.referenceValues(under: prefix) },
                tally: &tally)
        }
        let commits = Set((0..<6).map { _ in ObjectID(hex: random.pick(store.commits))! })
        compareReaders(
            "tagNames(pointingAt:)", { reader throws(ReadError) in Self.sets(try reader.tagNames(pointingAt: commits)) }, tally: &tally)
        let lower = random.pick(Self.bounds)
        compareReaders(
            "forEachTagName(from: \(lower))", git: gitTagNames(from: lower, to: nil),
            { reader throws(ReadError) in
                var names = Set<String>()
                try reader.forEachTagName(from: lower, to: nil) { names.insert(String(decoding: $0, as: UTF8.self)) }
                return names
            }, tally: &tally)
    }

    // MARK: 3. Verdicts

    private func checkVerdicts(_ random: inout SeededRandom, tally: inout DifferentialTally) {
        let fileFirst = fileFirst()
        for _ in 0..<3 {
            let settings = Self.settings(&random)
            let updates = (0..<random.pick([1, 1, 1, 2, 3])).map { _ in update(&random) }
            let vantage = random.pick([Vantage.client(remote: "origin"), .client(remote: "origin"), .client(remote: nil), .server])
            func verdict(_ reader: any RepositoryReading) -> Result<[String], PolicyError> {
                Result { () throws(PolicyError) in
                    try Policy(settings: settings).evaluate(updates, in: reader, vantage: vantage).map { "\($0.rule.rawValue) \($0.ref)" }
                }
            }
            let (mine, theirs) = (verdict(fileFirst), verdict(libgit2))
            tally.verdicts += 1
            switch (mine, theirs) {
            case (.success(let a), .success(let b)) where a == b:
                if a.isEmpty { tally.allowingVerdicts += 1 } else { tally.refusingVerdicts += 1 }
                for violation in a { tally.rules[String(violation.prefix { $0 != " " }), default: 0] += 1 }
            case (.failure, .failure):
                tally.bothReadersRefused += 1
            case (.failure(.read(.refFiles(let error))), .success) where damaged:
                fileThrew = fileThrew ?? "verdict: \(error.message)"
            case (.success, .failure) where damaged:
                tally.answeredWhereLibgit2RefusedDamage += 1
            case (.success, .failure) where hazardous:
                tally.libgit2Differences["refuses on a hazard: verdict", default: 0] += 1
            case (.success(let a), .success)
            where hazardous && gitRefs != nil && (try? verdict(GitListingReader(libgit2, gitRefs: gitRefs!)).get()) == a:
                // libgit2 lists refs git hides; with git's listing, libgit2's verdict is the files'.
                tally.libgit2Differences["judges refs git hides: verdict", default: 0] += 1
            default:
                let pushed = updates.map { "\($0.ref) \($0.oldID?.short ?? "-")→\($0.newID?.short ?? "-")" }
                problem("verdict on \(pushed) (\(vantage), \(settings.ruleSummary)): RepositoryReader \(mine), LibGit2Reader \(theirs)")
            }
        }
    }

    static func settings(_ random: inout SeededRandom) -> Settings {
        var settings = Settings()
        settings.requireAnnotated = random.chance(0.7)
        settings.allowSkip = random.chance(0.3)
        settings.onlyVersionTags = random.chance(0.3)
        let globs: [[String]] = [
            ["refs/heads/release/v*"], ["refs/heads/release/v*"], ["refs/heads/*.x"], ["refs/heads/release/*"],
            ["refs/heads/maint/*"], ["refs/heads/*"], ["refs/heads/*.x", "refs/heads/release_*", "refs/heads/release/v*"],
        ]
        settings.maintenanceBranches = random.pick(globs)
        return settings
    }

    /// One proposed update: tags new, moved and deleted, main moved on or forced, release and
    /// maintenance branches, anything at all now and then.
    private func update(_ random: inout SeededRandom) -> RefUpdate {
        func id(_ hex: String?) -> ObjectID? { hex.flatMap { ObjectID(hex: $0) } }
        let tags = refs.names.filter { $0.hasPrefix("refs/tags/") }
        func tagObject() -> String {
            random.chance(0.65)
                ? random.pick(store.tagsOfCommits)
                : random.chance(0.8) ? random.pick(store.commits) : random.pick(store.tagsOfTags + store.tagsOfOthers)
        }
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1:
            let name = "refs/tags/" + GeneratedRefs.tagName(&random)
            return RefUpdate(ref: name, oldID: id(refs.value(of: name)), newID: id(tagObject()))
        case 2:
            // A release next to one that exists: the next patch, minor or major, a skip, or one
            // below, so that tag-order and tag-skip read the existing tags (by ranges).
            let versions = tags.compactMap { name -> (Int, Int, Int)? in
                let numbers = name.dropFirst("refs/tags/v".count).split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
                guard name.hasPrefix("refs/tags/v"), numbers.count == 3, let major = numbers[0], let minor = numbers[1],
                    let patch = numbers[2],
                    !name.hasPrefix("refs/tags/v0") || major == 0
                else { return nil }
                return (major, minor, patch)
            }
            let (major, minor, patch) = versions.randomElement(using: &random) ?? (1, 0, 0)
            let next = random.pick([
                (major, minor, patch + 1), (major, minor, patch + 1), (major, minor + 1, 0), (major + 1, 0, 0),
                (major, minor, patch + 2), (major, minor + 2, 0), (major, minor, max(0, patch - 1)), (major, minor + 1, 1),
            ])
            let name = "refs/tags/v\(next.0).\(next.1).\(next.2)"
            let object = random.chance(0.7) ? random.pick(store.tagsOfCommits) : random.pick(store.mainLine)
            return RefUpdate(ref: name, oldID: id(refs.value(of: name)), newID: id(object))
        case 3 where !tags.isEmpty:
            let name = random.pick(tags)
            return RefUpdate(ref: name, oldID: id(refs.value(of: name)), newID: id(tagObject()))
        case 4 where !tags.isEmpty:
            let name = random.pick(tags)
            return RefUpdate(ref: name, oldID: id(refs.value(of: name)) ?? id(random.pick(store.commits)), newID: nil)
        case 5:
            let old = refs.value(of: "refs/heads/main") ?? (random.chance(0.5) ? nil : random.pick(store.mainLine))
            let position = old.flatMap { store.mainLine.firstIndex(of: $0) } ?? 0
            return RefUpdate(ref: "refs/heads/main", oldID: id(old), newID: id(random.pick(Array(store.mainLine[position...]))))
        case 6:
            return RefUpdate(
                ref: "refs/heads/main", oldID: id(refs.value(of: "refs/heads/main") ?? random.pick(store.mainLine)),
                newID: id(random.pick(store.sideLine + store.mainLine.prefix(10))))
        case 7:
            let version =
                random.chance(0.5)
                ? (tags.randomElement(using: &random).map { String($0.dropFirst(10)) } ?? "v1.0.0") : GeneratedRefs.tagName(&random)
            let name = "refs/heads/release/" + version
            let target = refs.value(of: "refs/tags/" + version).flatMap { store.peeled[$0] } ?? random.pick(store.commits)
            return RefUpdate(
                ref: name, oldID: id(refs.value(of: name)), newID: id(random.chance(0.7) ? target : random.pick(store.commits)))
        case 8:
            let name =
                "refs/heads/"
                + random.pick(["release/v1.4", "release/v1.3", "1.4.x", "maint/1.4.x", "release/v1.4.x", "release/v2", "hotfix/v1.3.x"])
            let old = refs.value(of: name)
            let line = store.maintenanceLine + (random.chance(0.3) ? store.sideLine : [])
            return RefUpdate(ref: name, oldID: id(old), newID: random.chance(0.1) ? nil : id(random.pick(line)))
        default:
            let name =
                random.chance(0.8)
                ? (refs.names.randomElement(using: &random) ?? "refs/heads/x") : "refs/heads/" + random.pick(GeneratedRefs.branchNames)
            let new = random.chance(0.05) ? random.pick(store.missing) : random.pick(store.allObjects)
            return RefUpdate(ref: name, oldID: id(refs.value(of: name)), newID: id(new))
        }
    }
}

/// libgit2's answers with git's listing of the refs (`git for-each-ref`): the reference a verdict
/// is held to where libgit2 lists refs git hides (a dangling symbolic ref, the packed value behind
/// a broken loose file, a badly named ref).
final class GitListingReader: RepositoryReading {
    let libgit2: LibGit2Reader
    /// Each ref git lists, with its value.
    let gitRefs: [String: String]

    init(_ libgit2: LibGit2Reader, gitRefs: [String: String]) {
        self.libgit2 = libgit2
        self.gitRefs = gitRefs
    }

    var commonDirectory: String { libgit2.commonDirectory }
    var isShallow: Bool { libgit2.isShallow }

    func target(ofReference name: String) throws(ReadError) -> ObjectID? {
        if let hex = gitRefs[name] { return ObjectID(hex: hex) }
        return try libgit2.target(ofReference: name)
    }

    func fullReferenceName(for shorthand: String) throws(ReadError) -> String? { try libgit2.fullReferenceName(for: shorthand) }
    func headBranch() throws(ReadError) -> String? { try libgit2.headBranch() }
    func kind(of id: ObjectID) throws(ReadError) -> ObjectKind { try libgit2.kind(of: id) }
    func peeledCommit(of id: ObjectID) throws(ReadError) -> ObjectID? { try libgit2.peeledCommit(of: id) }
    func isAncestor(_ ancestor: ObjectID, of commit: ObjectID, many: Bool) throws(ReadError) -> Bool {
        try libgit2.isAncestor(ancestor, of: commit, many: many)
    }
    func contains(_ id: ObjectID) throws(ReadError) -> Bool { try libgit2.contains(id) }

    func forEachTagName(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError) {
        for name in gitRefs.keys.compactMap({ RefName.tagName(of: $0) }) { Array(name.utf8).withUnsafeBufferPointer { body($0) } }
    }

    func forEachTagName(from lower: String, to upper: String?, _ body: (UnsafeBufferPointer<UInt8>) -> Void) throws(ReadError) {
        try forEachTagName { name in
            if !name.lexicographicallyPrecedes(lower.utf8), upper.map({ name.lexicographicallyPrecedes($0.utf8) }) ?? true { body(name) }
        }
    }

    func referenceNames(matching glob: String) throws(ReadError) -> [String] { gitRefs.keys.filter { fnmatch(glob, $0, 0) == 0 }.sorted() }

    func tagNames(pointingAt commits: Set<ObjectID>) throws(ReadError) -> [ObjectID: [String]] {
        var found: [ObjectID: [String]] = [:]
        for (name, hex) in gitRefs {
            guard let tag = RefName.tagName(of: name), let id = ObjectID(hex: hex) else { continue }
            let commit: ObjectID?
            do { commit = try libgit2.peeledCommit(of: id) } catch  where error.isNotFound { continue }
            if let commit, commits.contains(commit) { found[commit, default: []].append(tag) }
        }
        return found
    }

    func referenceValues(under prefix: String) throws(ReadError) -> [String: ObjectID] {
        Dictionary(
            uniqueKeysWithValues: gitRefs.filter { $0.key.hasPrefix(prefix) }.compactMap { name, hex in
                ObjectID(hex: hex).map { (name, $0) }
            })
    }

    func creationTime(of id: ObjectID) throws(ReadError) -> Int64? { try libgit2.creationTime(of: id) }
    func fileContent(_ path: String, at commit: ObjectID) throws(ReadError) -> [UInt8]? { try libgit2.fileContent(path, at: commit) }
    func firstUnreadableCommit(from tip: ObjectID, excluding base: ObjectID?) throws(ReadError) -> String? {
        try libgit2.firstUnreadableCommit(from: tip, excluding: base)
    }
}

extension Result where Failure: Error {
    /// `Result(catching:)` for a closure with a typed throw.
    init(_ body: () throws(Failure) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}

/// Repositories the file readers must leave to libgit2, and what opening them says.
extension RepositoryDifferentialTests {
    /// A repository whose format `RepositoryLayout` does not know has no file reader: libgit2
    /// reads it, or refuses it with its reason; it is never read as a repository without tags.
    @Test func unknownFormatsHaveNoFileReaderAndNeverReadAsNoTags() throws {
        let store = GeneratedObjectStore.shared
        let scratch = try Scratch()
        var random = SeededRandom(seed: 4_242)
        var refs = GeneratedRefs(&random, store: store)
        while refs.refs.filter({ $0.name.hasPrefix("refs/tags/") }).count < 3 || !refs.hazards.isEmpty {
            refs = GeneratedRefs(&random, store: store)
        }
        let unknown = [
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\trefStorage = reftable\n",
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha256\n",
            "[core]\n\trepositoryformatversion = 2\n",
            "[core]\n\trepositoryformatversion = 0\n[extensions]\n\trefstorage = reftable\n",
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tworktreeConfig = true\n",
            "[core]\n\trepositoryformatversion = \"1\"\n[extensions]\n\trefStorage = reftable\n",
            "[core]\n\trepositoryformatversion = 1\n[extensions \"x\"]\n\trefStorage = reftable\n",
            "[core]\n\trepositoryformatversion = 0\n\tworktree = /elsewhere\n",
        ]
        let known = [
            "[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = sha1\n\tnoop = x\n",
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n",
        ]
        var opened: [String] = []
        var refused: [String] = []
        for (index, config) in (unknown + known).enumerated() {
            let directory = scratch.root + "/format-\(index)"
            try refs.write(to: directory, store: store, config: config)
            let layout = RepositoryLayout.find(from: directory, environment: { _ in nil })
            if known.contains(config) {
                #expect(layout != nil, "a format the file readers know: \(config.debugDescription)")
            } else {
                #expect(layout == nil, "a format the file readers do not know has a file reader: \(config.debugDescription)")
                #expect(RepositoryLayout.at(gitDirectory: directory + "/.git", workTree: directory, environment: { _ in nil }) == nil)
            }
            let git = RepositoryDifferentialCase.git(
                ["--git-dir=" + directory + "/.git", "for-each-ref", "--format=%(refname)", "refs/tags"],
                environment: scratch.environment)
            let gitTags = git.status == 0 ? Set(git.output.split(separator: "\n").map { String($0.dropFirst(10)) }) : nil
            do {
                let repository = try OpenRepository.open(from: directory, environment: { _ in nil })
                var names = Set<String>()
                try repository.reader.forEachTagName { names.insert(String(decoding: $0, as: UTF8.self)) }
                #expect(!names.isEmpty, "\(config.debugDescription) read as a repository without tags")
                if let gitTags {
                    #expect(names == gitTags, "\(config.debugDescription): git lists \(gitTags.sorted()), the reader \(names.sorted())")
                }
                opened.append(config.debugDescription)
            } catch let error as OpenError {
                refused.append("\(config.debugDescription): \(error)")
            }
        }
        print("RepositoryDifferentialTests, formats: opened (read by libgit2 or the files, listing as git) \(opened); refused \(refused)")
        #expect(refused.count >= 3, "libgit2 1.5 refuses reftable, sha256 and version 2: \(refused)")
    }

    /// What is wrong with the outcome of opening a repository whose `file` is malformed at `line`.
    static func problem(_ outcome: Result<OpenRepository, OpenError>, file: String, line: Int) -> String? {
        switch outcome {
        case .success: return "opened"
        case .failure(.repository(let error)): return "not a configuration error: \(error)"
        case .failure(let error):
            let description = "\(error)"
            return description.contains(file) && (description.contains(":\(line)") || description.contains("line \(line)"))
                ? nil : "not named: \(description)"
        }
    }

    static let plainLines = [
        "[release]", "\tallowSkip = true", "# a comment", "\tonlyVersionTags = false", "[environment \"prod\"]",
        "\tbranch = main", "", "[release]", "\trequireAnnotated = true",
    ]
    static let malformedLines = [
        "[release", "[release ]", "\tallowSkip # note", "= value", "[]", "\t\"quoted\" = x",
        "\tk\u{00E9}y = 1", "[release \"x]", "\t1key = true", "[re lease]",
    ]

    /// A malformed `.release-guardian` or `.git/config` stops `OpenRepository.open` with
    /// `OpenError.configuration` naming the file and the line, whichever path read it.
    @Test func aMalformedConfigurationNamesItsFileAndLine() throws {
        let store = GeneratedObjectStore.shared
        let scratch = try Scratch()
        var random = SeededRandom(seed: 4_343)
        var failures: [String] = []
        var checked = 0
        for index in 0..<16 {
            let refs = GeneratedRefs(&random, store: store)
            let directory = scratch.root + "/malformed-\(index)"
            var lines = (0..<Int.random(in: 0...6, using: &random)).map { _ in random.pick(Self.plainLines) }
            let malformed = random.pick(Self.malformedLines)
            let number = Int.random(in: 0...lines.count, using: &random)
            lines.insert(malformed, at: number)
            let inGitConfig = random.chance(0.5)
            let text = lines.joined(separator: "\n") + "\n"
            let plainConfig = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
            try refs.write(to: directory, store: store, config: inGitConfig ? plainConfig + text : nil)
            if !inGitConfig { try GeneratedRefs.writeFile(text, to: directory + "/.release-guardian") }
            let file = inGitConfig ? directory + "/.git/config" : directory + "/.release-guardian"
            let line = (inGitConfig ? 3 : 0) + number + 1
            // git refuses it, at that line.
            let git = RepositoryDifferentialCase.git(["config", "-f", file, "--list"], environment: scratch.environment)
            guard git.status != 0, git.output.contains("line \(line)") else {
                failures.append("git does not refuse line \(line) of \(text.debugDescription): \(git.output)")
                continue
            }
            checked += 1
            let outcome = Result { () throws(OpenError) in try OpenRepository.open(from: directory, environment: { _ in nil }) }
            if let problem = Self.problem(outcome, file: file, line: line) {
                failures.append("\(malformed.debugDescription) on line \(line) of \(file): \(problem)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(checked >= 12)
    }
}

/// The benchmark repositories' shape (`Benchmarks/generate.sh`: annotated release tags in commit
/// order, packed sorted and fully peeled), at 2,000 tags, with a few loose tags on top: the
/// listing, ranges, a few hundred values and peels, and a few verdicts, files against libgit2
/// against git.
extension RepositoryDifferentialTests {
    @Test func benchmarkShapedRepositoryReadsTheSameThroughFilesLibgit2AndGit() throws {
        let started = Date()
        let scratch = try Scratch()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/generate.sh").path
        let root = scratch.root + "/bench"
        let generated = try scratch.run("/bin/bash", [script, root, "2000", "2000"], in: scratch.root)
        try #require(generated.status == 0, "\(script): \(generated.stderr)")
        let work = root + "/work"
        // A few loose tags over the packed ones: new, lightweight, one moved over its packed
        // value, one deleted from packed-refs.
        try scratch.git("tag", "-a", "v0.20.0", "-m", "loose", "main", in: work)
        try scratch.git("tag", "v0.20.1", "main~1", in: work)
        try scratch.git("tag", "-f", "-a", "v0.5.5", "-m", "moved", "main~3", in: work)
        try scratch.git("tag", "-d", "v0.3.3", in: work)
        let header = try String(contentsOfFile: work + "/.git/packed-refs", encoding: .utf8).prefix { $0 != "\n" }
        #expect(header == "# pack-refs with: peeled fully-peeled sorted ")

        let layout = try #require(RepositoryLayout.find(from: work, environment: { _ in nil }))
        let files = RepositoryFiles(layout: layout)
        let libgit2 = LibGit2Reader(try Repository.open(at: work))
        let fileFirst = RepositoryReader(files: files) { () throws(GitError) in try Repository.open(at: work) }
        let listing = try scratch.git("for-each-ref", "--format=%(refname:strip=2) %(objectname) %(*objectname)", "refs/tags", in: work)
        var git: [String: (id: String, peeled: String)] = [:]
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            git[fields[0]] = (fields[1], fields[2].isEmpty ? fields[1] : fields[2])
        }
        #expect(git.count == 2_001)

        // The listing, whole and by ranges.
        var mine = Set<String>(), theirs = Set<String>()
        try files.forEachTagName { mine.insert(String(decoding: $0, as: UTF8.self)) }
        try libgit2.forEachTagName { theirs.insert(String(decoding: $0, as: UTF8.self)) }
        #expect(mine == Set(git.keys), "files list \(mine.symmetricDifference(git.keys).sorted()) otherwise than git")
        #expect(theirs == Set(git.keys), "libgit2 lists \(theirs.symmetricDifference(git.keys).sorted()) otherwise than git")
        var random = SeededRandom(seed: 2_000)
        var ranges = 0
        for (lower, upper) in [("v0.5.", "v0.5/"), ("v0.19.", "v0.19/"), ("", "v1"), ("v:", nil), ("v0.0", "v0.1"), ("v0.20.", "v0.20/")]
            as [(String, String?)]
        {
            var byRange = Set<String>(), filtered = Set<String>()
            guard case .known = try files.forEachTagName(from: lower, to: upper, { byRange.insert(String(decoding: $0, as: UTF8.self)) })
            else {
                Issue.record("a sorted packed-refs answers ranges")
                continue
            }
            try libgit2.forEachTagName(from: lower, to: upper) { filtered.insert(String(decoding: $0, as: UTF8.self)) }
            #expect(byRange == filtered, "\(lower)..<\(upper ?? "end"): files \(byRange.count), libgit2 \(filtered.count)")
            ranges += 1
        }

        // A few hundred values and peels.
        let sample = git.keys.sorted().shuffled(using: &random).prefix(300) + ["v0.20.0", "v0.20.1", "v0.5.5", "v0.3.3"]
        var compared = 0
        for name in sample {
            let reference = "refs/tags/" + name
            let expected = git[name].flatMap { ObjectID(hex: $0.id) }
            let fromFiles = try files.target(ofReference: reference)
            #expect(fromFiles == .known(expected), "\(reference): files \(fromFiles), git \(expected?.hex ?? "none")")
            #expect(try libgit2.target(ofReference: reference) == expected, "\(reference): libgit2")
            guard let id = expected, let peeled = git[name].flatMap({ ObjectID(hex: $0.peeled) }) else { continue }
            #expect(try fileFirst.peeledCommit(of: id) == peeled, "\(reference): peeled through the files first")
            #expect(try libgit2.peeledCommit(of: id) == peeled, "\(reference): peeled by libgit2")
            compared += 1
        }
        // Tags at commits: from packed-refs' peeled lines (loose tags excluded) and libgit2's peels.
        let commits = Set(sample.prefix(50).compactMap { git[$0].flatMap { ObjectID(hex: $0.peeled) } })
        let fromFiles = try fileFirst.tagNames(pointingAt: commits).mapValues(Set.init)
        let fromLibgit2 = try libgit2.tagNames(pointingAt: commits).mapValues(Set.init)
        #expect(fromFiles == fromLibgit2 && fromFiles.values.reduce(0) { $0 + $1.count } >= commits.count)

        // Verdicts at 2,000 tags: a patch, a skip, an older line, a moved tag.
        let main = try #require(ObjectID(hex: try scratch.git("rev-parse", "main", in: work)))
        let tagObject = try #require(ObjectID(hex: try scratch.git("rev-parse", "v0.20.0", in: work)))
        var verdicts = 0
        for updates in [
            [RefUpdate(ref: "refs/tags/v0.20.2", oldID: nil, newID: main)],
            [RefUpdate(ref: "refs/tags/v0.22.0", oldID: nil, newID: tagObject)],
            [RefUpdate(ref: "refs/tags/v0.7.100", oldID: nil, newID: tagObject)],
            [RefUpdate(ref: "refs/tags/v0.5.5", oldID: ObjectID(hex: git["v0.5.5"]!.id), newID: tagObject)],
        ] {
            for settings in [Settings(), RepositoryDifferentialCase.settings(&random)] {
                let a = try Policy(settings: settings).evaluate(updates, in: fileFirst, vantage: .client(remote: "origin")).map {
                    "\($0.rule.rawValue) \($0.ref)"
                }
                let b = try Policy(settings: settings).evaluate(updates, in: libgit2, vantage: .client(remote: "origin")).map {
                    "\($0.rule.rawValue) \($0.ref)"
                }
                #expect(a == b, "\(updates.map(\.ref)) (\(settings.ruleSummary)): files first \(a), libgit2 \(b)")
                verdicts += 1
            }
        }
        print(
            "RepositoryDifferentialTests, benchmark shape: \(git.count) tags (packed sorted fully-peeled, 3 loose), listing equal, \(ranges) ranges, \(sample.count) values and \(compared) peels, \(verdicts) verdicts compared in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
    }
}

extension RepositoryDifferentialTests {
    /// libgit2 1.5 refuses a damaged packed-refs once, then reads it through the same handle as
    /// if it were empty (its cache of the file is stamped before the file is parsed): the
    /// differential cases ask libgit2 each question of a damaged file through a fresh handle,
    /// and the file-first reader must never ask libgit2's refdb again after it refused.
    @Test func libgit2RefusesADamagedPackedRefsOnlyOncePerHandle() throws {
        let store = GeneratedObjectStore.shared
        let scratch = try Scratch()
        let directory = scratch.root + "/damaged"
        var random = SeededRandom(seed: 1)
        let refs = GeneratedRefs(&random, store: store)
        try refs.write(to: directory, store: store)
        let packed =
            "# pack-refs with: peeled fully-peeled sorted \n\(store.mainLine[3]) refs/tags/v1.0.0\ngarbage\n\(store.mainLine[4]) refs/tags/v1.1.0\n"
        try GeneratedRefs.writeFile(packed, to: directory + "/.git/packed-refs")
        let repository = try Repository.open(at: directory)
        var first: [String] = [], second: [String] = []
        let firstRefused = (try? repository.forEachTagName { first.append(String(decoding: $0, as: UTF8.self)) }) == nil
        let secondRefused = (try? repository.forEachTagName { second.append(String(decoding: $0, as: UTF8.self)) }) == nil
        print(
            "RepositoryDifferentialTests, libgit2 on a damaged packed-refs: first listing \(firstRefused ? "refused" : "\(first)"), second \(secondRefused ? "refused" : "\(second)")"
        )
        #expect(firstRefused, "libgit2 reads a damaged packed-refs")
    }
}
