import Foundation
import Git
import GitFiles
import TestSupport
import Testing

/// A commit's files read from its tree: which paths a glob matches, and blobs read within a limit.
struct TreeFilesTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    func write(_ path: String, _ text: String = "x\n") throws {
        let full = work + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try scratch.write(text, to: full)
    }

    func commitAll(_ message: String = "files") throws -> ObjectID {
        try scratch.git("add", "-A", in: work)
        return try #require(ObjectID(hex: scratch.commit(message, in: work)))
    }

    @Test func globsMatchOneComponentPerStarAndAnyDepthPerDoubleStar() throws {
        let glob = try #require(PathGlob("*/migrations/0*.py"))
        #expect(glob.matches("app/migrations/0001_initial.py"))
        #expect(!glob.matches("src/app/migrations/0001_initial.py"))
        #expect(!glob.matches("app/migrations/__init__.py"))
        #expect(!glob.matches("migrations/0001_initial.py"))
        let deep = try #require(PathGlob("**/migrations/0*.py"))
        #expect(deep.matches("migrations/0001_initial.py") && deep.matches("src/app/migrations/0001_initial.py"))
        let inside = try #require(PathGlob("db/**"))
        #expect(inside.matches("db/a.sql") && inside.matches("db/x/y.sql") && !inside.matches("db"))
        #expect(try #require(PathGlob("a/**/b.py")).matches("a/b.py"))
        #expect(try #require(PathGlob("alembic/versions/*.py")).matches("alembic/versions/.hidden.py"))
        #expect(!(try #require(PathGlob("alembic/versions/*.py")).matches("alembic/versions/x.PY")))
        for invalid in ["", "/alembic/*.py", "a//b", "./a", "a/../b", "a/"] {
            #expect(PathGlob(invalid) == nil, "\(invalid)")
        }
    }

    @Test func listsTheMatchingFilesOfACommitAndNothingElse() throws {
        try write("app/migrations/0001_initial.py")
        try write("app/migrations/__init__.py")
        try write("shop/migrations/0002_price.py")
        try write("docs/migrations.md")
        try write("alembic/versions/a1_first.py")
        try FileManager.default.createSymbolicLink(atPath: work + "/app/migrations/0003_link.py", withDestinationPath: "0001_initial.py")
        let commit = try commitAll()
        let repository = try Repository.open(at: work)
        let files = try repository.files(at: commit, matching: [try #require(PathGlob("*/migrations/0*.py"))])
        #expect(files.map(\.path) == ["app/migrations/0001_initial.py", "app/migrations/0003_link.py", "shop/migrations/0002_price.py"])
        #expect(files.map(\.isSymbolicLink) == [false, true, false])
        #expect(files[0].blob == ObjectID(hex: try scratch.git("rev-parse", "\(commit.hex):app/migrations/0001_initial.py", in: work)))
        // Several globs: one list, each file once.
        let both = try repository.files(
            at: commit, matching: [try #require(PathGlob("app/**")), try #require(PathGlob("*/migrations/0*.py"))])
        #expect(Set(both.map(\.path)).count == both.count)
        #expect(both.count == 4)
    }

    @Test func readsABlobWithinALimitAndOnlyTheSizeOfALargerOne() throws {
        try write("small.py", "revision = 'a1'\n")
        // 50 MB: its header says so, and it is never inflated.
        let large = Data(repeating: UInt8(ascii: "#"), count: 50 * 1024 * 1024)
        try large.write(to: URL(fileURLWithPath: work + "/large.py"))
        let commit = try commitAll()
        let repository = try Repository.open(at: work)
        let files = try repository.files(at: commit, matching: [try #require(PathGlob("*.py"))])
        #expect(try repository.blobContent(files[1].blob, limit: 1 << 20) == .content(Array("revision = 'a1'\n".utf8)))
        #expect(try repository.blobContent(files[0].blob, limit: 1 << 20) == .tooLarge(size: 50 * 1024 * 1024))
        #expect(throws: GitError.self) { try repository.blobContent(commit, limit: 1 << 20) }
        #expect(throws: GitError.self) { try repository.blobContent(ObjectID(hex: String(repeating: "d", count: 40))!, limit: 10) }
    }

    /// The tree walk (with the directories it leaves unread) and `PathGlob.matches` against git's
    /// own `:(glob)` pathspecs (`git ls-files`), over generated trees and globs. They differ by
    /// design on a glob without wildcards, which git also reads as a directory.
    @Test func agreesWithGitsGlobPathspecs() throws {
        var random = SeededRandom(seed: 20_261_123)
        let directories = ["app", "shop", "migrations", "alembic", "versions", ".hidden", "a b", "src"]
        let names = ["0001_initial.py", "__init__.py", "0002_x.py", "readme.md", ".#lock.py", "x.py", "a1_first.py"]
        var paths: Set<String> = []
        for _ in 0..<120 {
            let depth = Int.random(in: 0...3, using: &random)
            let path = (0..<depth).map { _ in random.pick(directories) } + [random.pick(names)]
            paths.insert(path.joined(separator: "/"))
        }
        // A name cannot be both a file and a directory.
        let directoriesUsed = Set(
            paths.flatMap { path in
                let parts = path.split(separator: "/")
                return (1..<parts.count).map { parts[..<$0].joined(separator: "/") }
            })
        for path in paths where !directoriesUsed.contains(path) { try write(path) }
        let commit = try commitAll()
        let repository = try Repository.open(at: work)
        let committed = try scratch.git("ls-files", in: work).split(separator: "\n").map(String.init)
        let parts = ["*", "**", "?", "migrations", "0*.py", "*.py", "app", "[as]*", "*o*", "alembic", "versions", ".*", "[!_]*.py", "a b"]
        var disagreements = 0
        var matched = 0
        for _ in 0..<150 {
            let pattern = (0..<Int.random(in: 1...4, using: &random)).map { _ in random.pick(parts) }.joined(separator: "/")
            let glob = try #require(PathGlob(pattern))
            let mine = Set(try repository.files(at: commit, matching: [glob]).map(\.path))
            let git = try scratch.tryGit("ls-files", "-z", "--", ":(glob)" + pattern, in: work)
            #expect(git.status == 0, "\(git.stderr)")
            let theirs = Set(git.stdout.split(separator: "\0").map(String.init))
            let expected = Set(committed.filter(glob.matches))
            // git takes a pathspec without wildcards as a directory too (`app` is everything in
            // it); a PathGlob without wildcards names one file.
            let isLiteral = !pattern.contains(where: { "*?[".contains($0) })
            let expectedOfGit = expected.union(isLiteral ? committed.filter { $0.hasPrefix(pattern + "/") } : [])
            matched += mine.count
            if mine != expected || theirs != expectedOfGit {
                disagreements += 1
                if disagreements <= 5 {
                    Issue.record(
                        "seed \(random.seed), \(pattern): walk \(mine.sorted()), git \(theirs.sorted()), expected \(expected.sorted())")
                }
            }
        }
        #expect(disagreements == 0)
        #expect(matched > 100, "the generated globs matched only \(matched) files")
    }
}
