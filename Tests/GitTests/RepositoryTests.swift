import Foundation
import Git
import GitFiles
import TestSupport
import Testing

struct RepositoryTests {
    let scratch: Scratch
    let work: String

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
    }

    @Test func parsesOnlyFortyHexDigitObjectIDs() {
        let hex = "0123456789abcdef0123456789abcdef01234567"
        #expect(ObjectID(hex: hex)?.hex == hex)
        #expect(ObjectID(hex: hex)?.short == "0123456")
        #expect(ObjectID(hex: String(hex.dropLast())) == nil)
        #expect(ObjectID(hex: String(hex.dropLast()) + "g") == nil)
        #expect(ObjectID(hex: hex + hex.prefix(24)) == nil)
    }

    @Test func peelsAnnotatedTagsToTheirCommit() throws {
        let commit = try scratch.commit("first", in: work)
        try scratch.tag("v1.0.0", in: work)
        try scratch.git("tag", "-a", "tree-tag", "HEAD^{tree}", "-m", "a tree", in: work)
        let repository = try Repository.open(at: work)
        let tag = try #require(try repository.target(ofReference: "refs/tags/v1.0.0"))
        #expect(try repository.kind(of: tag) == .tag)
        #expect(try repository.peeledCommit(of: tag) == ObjectID(hex: commit))
        let treeTag = try #require(try repository.target(ofReference: "refs/tags/tree-tag"))
        #expect(try repository.peeledCommit(of: treeTag) == nil)
        #expect(try repository.target(ofReference: "refs/tags/none") == nil)
    }

    @Test func reportsAMissingObjectAsNotFound() throws {
        let repository = try Repository.open(at: work)
        let missing = ObjectID(hex: String(repeating: "d", count: 40))!
        #expect(try repository.contains(missing) == false)
        do {
            _ = try repository.peeledCommit(of: missing)
            Issue.record("a missing object peeled")
        } catch {
            #expect(error.code == .notFound)
        }
    }

    @Test func answersAncestry() throws {
        let first = try scratch.commit("first", in: work)
        let second = try scratch.commit("second", in: work)
        let repository = try Repository.open(at: work)
        let a = ObjectID(hex: first)!, b = ObjectID(hex: second)!
        #expect(try repository.isAncestor(a, of: b))
        #expect(try repository.isAncestor(a, of: a))
        #expect(try !repository.isAncestor(b, of: a))
    }

    @Test func listsReferenceNamesByGlob() throws {
        try scratch.commit("first", in: work)
        for name in ["v1.0.0", "v1.1.0", "other"] { try scratch.tag(name, in: work) }
        try scratch.git("pack-refs", "--all", in: work)
        try scratch.tag("v2.0.0", in: work)  // one loose beside the packed ones
        var names: [String] = []
        try Repository.open(at: work).forEachReferenceName(matching: "refs/tags/v*") { names.append($0) }
        #expect(names.sorted() == ["refs/tags/v1.0.0", "refs/tags/v1.1.0", "refs/tags/v2.0.0"])
    }

    @Test(arguments: [
        "refs/tags/v1.0.0", "refs/heads/main", "refs/heads/feature/x-y_z", "refs/heads/a.b", "refs/tags/v1..0", "refs/heads/a b",
        "refs/heads/x.lock", "refs/heads/x.lock/y", "refs/heads/.hidden", "refs/heads/a/.b", "refs/heads/a//b", "refs/heads/a/",
        "/refs/heads/a", "refs/heads/a.", "refs/heads/a@{1}", "refs/heads/a@b", "@", "HEAD", "FETCH_HEAD", "head", "refs/heads/a~1",
        "refs/heads/a^", "refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/a[b", "refs/heads/a\\b",
        "refs/heads/tab\tx", "refs/heads/é", "refs/heads/.", "refs/heads/..", "refs/heads/a/..b", "refs/heads/lock",
        "refs/heads/.lock", "refs/tags/v1.0.0-rc.1+build", "refs", "refs/", "",
    ])
    func validatesReferenceNamesExactlyAsLibgit2Does(_ name: String) {
        #expect(RefNameFormat.isValid(name) == Repository.libgit2IsValidReferenceName(name), "\(name)")
    }

    @Test func listsTagNamesFromPackedRefsAndLooseRefs() throws {
        try scratch.commit("first", in: work)
        for name in ["v1.0.0", "v1.1.0", "nested/v2"] { try scratch.tag(name, in: work) }
        try scratch.git("pack-refs", "--all", in: work)
        try scratch.tag("v1.2.0", in: work)
        var names: [String] = []
        try Repository.open(at: work).forEachTagName { names.append(String(decoding: $0, as: UTF8.self)) }
        #expect(Set(names) == ["v1.0.0", "v1.1.0", "nested/v2", "v1.2.0"])
    }

    @Test func validatesReferenceNamesAsGitDoes() {
        #expect(RefNameFormat.isValid("refs/tags/v1.0.0"))
        #expect(!RefNameFormat.isValid("refs/tags/v1..0"))
        #expect(!RefNameFormat.isValid("refs/heads/a b"))
        #expect(!RefNameFormat.isValid("refs/heads/x.lock"))
    }

    @Test func discoversTheRepositoryFromASubdirectory() throws {
        try FileManager.default.createDirectory(atPath: work + "/a/b", withIntermediateDirectories: true)
        let repository = try Repository.discover(from: work + "/a/b")
        #expect(repository.workingDirectory == work + "/")
        let outside = #expect(throws: GitError.self) { try Repository.discover(from: scratch.root + "/home") }
        #expect(outside?.code == .notFound, "\(String(describing: outside))")
    }
}
