import Foundation
import Git
import GitFiles
import TestSupport
import Testing
@testable import ReleaseGuardian

/// `env`'s questions — what a short name means (`git_reference_dwim`), which branch HEAD names —
/// answered from the files must be libgit2's answers, or "unknown". Over seeded, generated
/// repositories (names that are tags, branches, both, remote branches, refs right under `refs/`,
/// symbolic refs, pseudo-refs; packed and loose; HEAD on a branch, detached, unborn, in a linked
/// worktree, written by hand) with generated names to resolve, and over libgit2's own fixtures.
struct ShortNameDifferentialTests {
    /// Outcomes of one comparison run, to show the files answered often enough to be tested.
    struct Tally: CustomStringConvertible {
        var found = 0, absent = 0, unknown = 0, ambiguous = 0, refused = 0
        var disagreements: [String] = []
        var description: String {
            "\(found) found, \(absent) absent, \(unknown) unknown (\(ambiguous) tag-and-branch names; \(refused) refused with git)"
        }
    }

    /// libgit2's answer, or the error's message.
    static func libgit2<T: Equatable>(_ body: () throws -> T) -> Result<T, ComparableError> {
        do { return .success(try body()) } catch { return .failure(ComparableError(message: "\(error)")) }
    }

    struct ComparableError: Error, Equatable { let message: String }

    /// Compares every answer of the files to libgit2's, and the two composed readers.
    /// `gitRefuses`: git itself refuses the repository's ref files (a damaged packed-refs), and
    /// the file readers may too, where libgit2 is laxer (libgit2's `bad_tag.git` fixture).
    static func compare(
        _ queries: [String], files: RepositoryFiles, repository: Repository, fileFirst: RepositoryReader,
        libgit2Only: LibGit2Reader, context: String, gitRefuses: Bool = false, into tally: inout Tally
    ) {
        for query in queries {
            let theirs = libgit2 { try repository.fullReferenceName(for: query) }
            switch Result(catching: { () throws(RefFilesError) in try files.fullReferenceName(for: query) }) {
            case .success(.known(let mine)):
                if mine == nil { tally.absent += 1 } else { tally.found += 1 }
                if theirs != .success(mine) {
                    tally.disagreements.append(
                        "\(context): \(query.debugDescription) is \(mine ?? "nothing") to the files, \(theirs) to libgit2")
                }
            case .success(.unknown):
                tally.unknown += 1
            case .failure(let error):
                if gitRefuses {
                    tally.refused += 1
                    continue
                }
                tally.disagreements.append("\(context): the files refuse \(query.debugDescription): \(error)")
            }
            // The readers the commands use: the same answer, whoever gives it.
            let composed = libgit2 { try fileFirst.fullReferenceName(for: query) }
            let reference = libgit2 { try libgit2Only.fullReferenceName(for: query) }
            if composed != reference {
                tally.disagreements.append(
                    "\(context): \(query.debugDescription) is \(composed) to RepositoryReader, \(reference) to LibGit2Reader")
            }
        }
    }

    /// Short names and their spellings: under `refs/`, with each rule's prefix, and mutated.
    static func queries(for names: [String], using random: inout SeededRandom) -> [String] {
        let junk: [Character] = [".", "/", "@", "{", "}", "~", "^", ":", " ", "*", "-", "x", "\u{0}", "ü", "\\"]
        var queries = [
            "HEAD", "FETCH_HEAD", "ORIG_HEAD", "MAIN", "main", "origin", "origin/HEAD", "", "refs", "refs/heads", "heads",
            "tags", "remotes", "nothing-here", "@", "HEAD~1", "main..v1",
        ]
        for name in names {
            queries += [
                name, "heads/" + name, "tags/" + name, "remotes/" + name, "refs/" + name, "origin/" + name,
                "refs/heads/" + name, "refs/tags/" + name, "remotes/origin/" + name, name + "/HEAD",
            ]
            queries.append(random.mutate(name, count: 2, pool: junk))
        }
        return queries
    }

    static let namePool = [
        "main", "v1.0.0", "v1.2.0", "release/v1.0.0", "feature/x", "x", "tags", "heads", "remotes", "origin",
        "upstream", "dev", "MAIN", "HEAD", "FETCH_HEAD", "a/b/c", "tags/v1.0.0", "heads/main", "origin/main",
        "remotes/origin/main", "v1.0.0-rc.1", "HEAD/x", "refs", "ü", "x.lock", "a..b",
    ]

    @Test func shortNamesResolveAsLibgit2ResolvesThem() throws {
        LibGit2.ignoreUserAndSystemConfiguration()
        var random = SeededRandom(seed: 9_100)
        var tally = Tally()
        var heads = (branch: 0, unborn: 0, detached: 0, unknown: 0)
        var headDisagreements: [String] = []
        for index in 0..<40 {
            let scratch = try Scratch()
            let work = try scratch.repository()
            let first = try scratch.commit("first", in: work)
            let second = try scratch.commit("second", in: work)
            var names: [String] = []
            for _ in 0..<Int.random(in: 3...8, using: &random) {
                let name =
                    random.chance(0.7)
                    ? random.pick(Self.namePool) : random.pick(Self.namePool) + "/" + random.pick(["y", "v2.0.0", "HEAD"])
                names.append(name)
                let target = random.pick([first, second])
                switch Int.random(in: 0..<8, using: &random) {
                case 0: _ = try scratch.tryGit("branch", "-f", name, target, in: work)
                case 1: _ = try scratch.tryGit("tag", "-a", "-m", name, name, target, in: work)
                case 2: _ = try scratch.tryGit("tag", name, target, in: work)
                case 3:  // ambiguous: a tag and a branch of the same name
                    _ = try scratch.tryGit("branch", "-f", name, target, in: work)
                    _ = try scratch.tryGit("tag", "-f", name, random.pick([first, second]), in: work)
                case 4:
                    _ = try scratch.tryGit(
                        "update-ref", "refs/remotes/" + random.pick(["origin/", "upstream/", ""]) + name, target, in: work)
                case 5: _ = try scratch.tryGit("update-ref", "refs/" + name, target, in: work)
                case 6:  // a remote's HEAD, symbolic, to a branch it may or may not have
                    let remote = random.pick(["origin", "upstream", name])
                    _ = try scratch.tryGit("update-ref", "refs/remotes/\(remote)/main", target, in: work)
                    _ = try scratch.tryGit(
                        "symbolic-ref", "refs/remotes/\(remote)/HEAD", "refs/remotes/\(remote)/" + random.pick(["main", "gone"]), in: work)
                default:  // a pseudo-ref file in the git directory
                    try scratch.write(target + "\n", to: work + "/.git/" + random.pick(["FETCH_HEAD", "ORIG_HEAD", "MAIN", "origin"]))
                }
                if random.chance(0.3) { _ = try scratch.tryGit("pack-refs", "--all", in: work) }
            }
            // HEAD: on main, detached, unborn, on a branch with a slash, or written by hand.
            switch Int.random(in: 0..<7, using: &random) {
            case 0: try scratch.git("checkout", "-q", "--detach", random.pick([first, second]), in: work)
            case 1: try scratch.git("checkout", "-q", "--orphan", random.pick(["unborn", "release/v9.0.0"]), in: work)
            case 5: try scratch.git("symbolic-ref", "HEAD", "refs/heads/" + random.pick(["gone", "v1.0.0", "feature/later"]), in: work)
            case 2: try scratch.git("checkout", "-q", "-b", "feature/head", in: work)
            case 3:
                try scratch.write(
                    random.pick([
                        "ref: refs/heads/main", "ref: refs/heads/x\r\n", "ref:  refs/heads/main\n", "ref: refs/tags/v1.0.0\n",
                        "ref: HEAD\n", second, second + " \n", "ref: refs/heads/a..b\n", "garbage\n",
                    ]),
                    to: work + "/.git/HEAD")
            default: break
            }
            var directories = [work]
            if random.chance(0.3) {
                let linked = scratch.root + "/linked"
                let how = random.chance(0.5) ? ["--detach"] : ["-b", "linked/\(index)"]
                if (try? scratch.git(["worktree", "add", "-q"] + how + [linked, first], in: work)) != nil { directories.append(linked) }
            }
            let queries = Self.queries(for: names, using: &random)
            for directory in directories {
                let environment = scratch.environment
                guard let layout = RepositoryLayout.find(from: directory, environment: { environment[$0] }) else {
                    Issue.record("repository \(index): the file readers do not know the layout of \(directory)")
                    continue
                }
                let files = RepositoryFiles(layout: layout)
                guard let repository = try? Repository.open(at: directory) else {
                    // libgit2 refuses the repository (a HEAD it cannot read): so must the files' HEAD.
                    if case .known(let mine) = files.headBranch() {
                        headDisagreements.append("\(directory): libgit2 cannot open it, the files read HEAD as \(mine ?? "detached")")
                    }
                    continue
                }
                let fileFirst = RepositoryReader(files: files) { () throws(GitError) in try Repository.open(at: directory) }
                let libgit2Only = LibGit2Reader(try Repository.open(at: directory))
                let context = "repository \(index) (seed \(random.seed)) at \(directory)"
                Self.compare(
                    queries, files: files, repository: repository, fileFirst: fileFirst, libgit2Only: libgit2Only, context: context,
                    into: &tally)
                tally.ambiguous +=
                    names.filter {
                        (try? repository.target(ofReference: "refs/tags/" + $0)) != nil
                            && (try? repository.target(ofReference: "refs/heads/" + $0)) != nil
                    }.count

                let theirs = Self.libgit2 { try repository.headBranch() }
                switch files.headBranch() {
                case .known(let mine):
                    if theirs != .success(mine) {
                        headDisagreements.append("\(context): HEAD names \(mine ?? "nothing") to the files, \(theirs) to libgit2")
                    }
                    if let mine {
                        if (try? repository.target(ofReference: mine)) == nil { heads.unborn += 1 } else { heads.branch += 1 }
                    } else {
                        heads.detached += 1
                    }
                case .unknown:
                    heads.unknown += 1
                }
                if Self.libgit2({ try fileFirst.headBranch() }) != Self.libgit2({ try libgit2Only.headBranch() }) {
                    headDisagreements.append("\(context): RepositoryReader and LibGit2Reader disagree on HEAD")
                }
            }
        }
        #expect(tally.disagreements.isEmpty, "\(tally.disagreements.count) disagreements: \(tally.disagreements.prefix(8))")
        #expect(headDisagreements.isEmpty, "\(headDisagreements.prefix(8))")
        // The files must answer most names themselves, and every kind of answer must be reached.
        let total = tally.found + tally.absent + tally.unknown
        #expect(tally.found + tally.absent > total * 6 / 10, "\(tally)")
        #expect(tally.found > 200 && tally.absent > 200 && tally.unknown > 50 && tally.ambiguous > 5, "\(tally)")
        #expect(heads.branch > 5 && heads.unborn > 4 && heads.detached > 4 && heads.unknown > 2, "HEAD: \(heads)")
        print("ShortNameDifferentialTests: \(tally); HEAD: \(heads)")
    }

    /// Over libgit2's own fixture repositories: every ref they hold, in each short spelling.
    @Test func shortNamesResolveAsLibgit2ResolvesThemInLibgit2Fixtures() throws {
        LibGit2.ignoreUserAndSystemConfiguration()
        let scratch = try Scratch()
        var random = SeededRandom(seed: 9_101)
        var tally = Tally()
        var headsCompared = 0
        var headDisagreements: [String] = []
        var repositories = 0
        for (index, directory) in FixtureDifferentialTests.gitDirectories(try FixtureDifferentialTests.files()).enumerated() {
            let parent = scratch.root + "/repos/\(index)"
            let copy = parent + "/" + directory.replacingOccurrences(of: ".gitted", with: ".git")
            try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: FixtureDifferentialTests.root + "/" + directory, toPath: copy)
            guard let layout = RepositoryLayout.at(gitDirectory: copy, workTree: parent, environment: { _ in nil }),
                let repository = try? Repository.open(at: copy)
            else { continue }
            repositories += 1
            let files = RepositoryFiles(layout: layout)
            var names: [String] = []
            try? repository.forEachReferenceName(matching: "refs/*") { names.append($0) }
            var shortNames: [String] = []
            for name in names {
                shortNames.append(String(name.dropFirst("refs/".count)))
                for prefix in ["refs/heads/", "refs/tags/", "refs/remotes/"] where name.hasPrefix(prefix) {
                    shortNames.append(String(name.dropFirst(prefix.count)))
                }
                if name.hasPrefix("refs/remotes/"), name.hasSuffix("/HEAD") {
                    shortNames.append(String(name.dropFirst("refs/remotes/".count).dropLast("/HEAD".count)))
                }
            }
            let fileFirst = RepositoryReader(files: files) { () throws(GitError) in try Repository.open(at: copy) }
            let gitRefuses =
                ConfigFileDifferentialTests.spawnGit(["--git-dir=" + copy, "for-each-ref"], environment: scratch.environment) == nil
            Self.compare(
                names + Self.queries(for: shortNames, using: &random), files: files, repository: repository, fileFirst: fileFirst,
                libgit2Only: LibGit2Reader(repository), context: directory, gitRefuses: gitRefuses, into: &tally)
            if case .known(let mine) = files.headBranch() {
                headsCompared += 1
                let theirs = Self.libgit2 { try repository.headBranch() }
                if theirs != .success(mine) {
                    headDisagreements.append("\(directory): HEAD names \(mine ?? "nothing") to the files, \(theirs) to libgit2")
                }
            }
        }
        #expect(tally.disagreements.isEmpty, "\(tally.disagreements.count) disagreements: \(tally.disagreements.prefix(8))")
        #expect(headDisagreements.isEmpty, "\(headDisagreements.prefix(8))")
        #expect(
            repositories >= 40 && tally.found > 500 && tally.absent > 500 && headsCompared >= 30,
            "\(repositories) repositories, \(headsCompared) HEADs; \(tally)")
        print("ShortNameDifferentialTests (libgit2 fixtures): \(repositories) repositories, \(headsCompared) HEADs; \(tally)")
    }
}
