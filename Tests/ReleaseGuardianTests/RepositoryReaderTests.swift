import Foundation
import Git
import GitFiles
import TestSupport
import Testing
@testable import ReleaseGuardian

/// The reading port's composed questions, answered the same by the file-first reader and by
/// libgit2 alone.
struct RepositoryReaderTests {
    let scratch: Scratch
    let work: String

    init() throws {
        scratch = try Scratch()
        work = try scratch.repository()
        LibGit2.ignoreUserAndSystemConfiguration()
    }

    /// The file-first reader and the libgit2-only one, over the same repository.
    func readers() throws -> [any RepositoryReading] {
        let layout = try #require(RepositoryLayout.find(from: work, environment: { _ in nil }))
        let work = work
        return [
            RepositoryReader(files: RepositoryFiles(layout: layout)) { () throws(GitError) in try Repository.open(at: work) },
            LibGit2Reader(try Repository.open(at: work)),
        ]
    }

    @Test func findsTheTagsAtACommitPackedOrLoose() throws {
        let first = ObjectID(hex: try scratch.commit("first", in: work))!
        try scratch.tag("v1.0.0", in: work)
        try scratch.tag("light", in: work, annotated: false)
        let second = ObjectID(hex: try scratch.commit("second", in: work))!
        try scratch.tag("v1.1.0", in: work)
        try scratch.tag("moved", in: work, at: "HEAD~1")
        try scratch.git("pack-refs", "--all", in: work)
        // A loose ref overrides its packed copy.
        try scratch.git("tag", "-f", "-a", "moved", "-m", "moved", "HEAD", in: work)
        try scratch.tag("v1.1.0-loose", in: work)
        for reader in try readers() {
            let found = try reader.tagNames(pointingAt: [first, second])
            #expect(found[first]?.sorted() == ["light", "v1.0.0"], "\(type(of: reader))")
            #expect(found[second]?.sorted() == ["moved", "v1.1.0", "v1.1.0-loose"], "\(type(of: reader))")
        }
    }

    @Test func readsReferenceValuesPackedAndLoose() throws {
        let first = try scratch.commit("first", in: work)
        try scratch.tag("v1.0.0", in: work, annotated: false)
        try scratch.tag("v1.1.0", in: work, annotated: false)
        try scratch.git("pack-refs", "--all", in: work)
        let second = try scratch.commit("second", in: work)
        try scratch.git("tag", "-f", "v1.1.0", in: work)  // loose, overriding its packed copy
        for reader in try readers() {
            let values = try reader.referenceValues(under: "refs/tags/")
            #expect(
                values == ["refs/tags/v1.0.0": ObjectID(hex: first)!, "refs/tags/v1.1.0": ObjectID(hex: second)!], "\(type(of: reader))")
            #expect(try reader.target(ofReference: "refs/tags/v1.0.0") == ObjectID(hex: first))
            #expect(try reader.target(ofReference: "refs/tags/v1.1.0") == ObjectID(hex: second))
            #expect(try reader.target(ofReference: "refs/tags/none") == nil)
        }
        let files = RepositoryFiles(layout: try #require(RepositoryLayout.find(from: work, environment: { _ in nil })))
        #expect(try files.target(ofReference: "refs/tags/v1.1.0") == .known(ObjectID(hex: second)))
    }
}
