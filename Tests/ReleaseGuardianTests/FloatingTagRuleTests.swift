import Git
import Testing
@testable import ReleaseGuardian

/// `release.floatingTags`: `vN` and `vN.M` follow the highest release of their line (`tag-floating`).
struct FloatingTagRuleTests {
    var floating: Settings {
        var settings = Settings()
        settings.floatingTags = true
        return settings
    }

    /// The released world with v1.1.0 on a second commit of main, pushed, and `v1` on origin at
    /// v1.0.0's commit (as it was before v1.1.0): returns that second commit.
    func worldWithTwoReleases(_ f: PolicyFixture) throws -> String {
        try f.git("tag", "v1", f.firstCommit)
        let second = try f.commit("1.1")
        try f.tag("v1.1.0")
        try f.git("push", "-q", "origin", "main", "v1.1.0", "v1")
        return second
    }

    @Test func isATagFormatErrorWhoseFixNamesTheSettingWhenOff() throws {
        let f = try PolicyFixture()
        for name in ["v1", "v1.0"] {
            let violations = try f.evaluate([f.newTag(name, f.tag(name, at: f.firstCommit, annotated: false))])
            #expect(violations.map(\.rule) == [.tagFormat], "\(name)")
            #expect(violations.first?.fix.contains("release.floatingTags = true") == true, "\(name)")
        }
        // A malformed tag of another shape says nothing of floating tags.
        let other = try f.evaluate([f.newTag("v1.0.0.1", f.tag("v1.0.0.1"))])
        #expect(other.map(\.rule) == [.tagFormat])
        #expect(other.first?.fix.contains("floatingTags") == false)
    }

    @Test func allowsAFloatingTagAtItsLinesHighestReleaseLightweightOrAnnotated() throws {
        let f = try PolicyFixture()
        #expect(try f.rules([f.newTag("v1", f.tag("v1", at: f.firstCommit, annotated: false))], settings: floating) == [])
        try f.deleteLocalTag("v1")
        #expect(try f.rules([f.newTag("v1", f.tag("v1", at: f.firstCommit))], settings: floating) == [])
        // A line's tag too; and pointing at the release's tag object is the same commit.
        #expect(try f.rules([f.newTag("v1.0", f.rev("refs/tags/v1.0.0"))], settings: floating) == [])
        // Leading zeros or a V are no floating tags.
        #expect(try f.rules([f.newTag("v01", f.tag("v01", at: f.firstCommit))], settings: floating) == [.tagFormat])
        #expect(try f.rules([f.newTag("V1", f.tag("V1", at: f.firstCommit))], settings: floating) == [.tagFormat])
    }

    @Test func refusesAFloatingTagAnywhereButItsLinesHighestRelease() throws {
        let f = try PolicyFixture()
        let second = try worldWithTwoReleases(f)
        let head = try f.commit("unreleased")
        try f.git("push", "-q", "origin", "main")
        let old = try f.rev("refs/tags/v1")
        // Moved forward to v1.1.0's commit: allowed.
        #expect(try f.rules([("refs/tags/v1", old, second)], settings: floating) == [])
        // To a commit no release tags.
        let unreleased = try f.evaluate([("refs/tags/v1", old, head)], settings: floating)
        #expect(unreleased.map(\.rule) == [.tagFloating])
        #expect(unreleased.first?.message.contains("the highest release of line 1 is v1.1.0") == true)
        #expect(unreleased.first?.fix.contains("git tag -f v1 'v1.1.0^{commit}'") == true)
        #expect(unreleased.first?.fix.contains("git push --force origin refs/tags/v1") == true)
        // A new line's tag goes to that line's highest release only, not the major's.
        #expect(try f.rules([f.newTag("v1.0", second)], settings: floating) == [.tagFloating])
        #expect(try f.rules([f.newTag("v1.0", f.firstCommit)], settings: floating) == [])
        // A line without a final release: nothing to follow.
        let none = try f.evaluate([f.newTag("v2", head)], settings: floating)
        #expect(none.map(\.rule) == [.tagFloating])
        #expect(none.first?.message.contains("no final release") == true)
    }

    @Test func refusesAMoveBackwards() throws {
        let f = try PolicyFixture()
        let second = try worldWithTwoReleases(f)
        try f.git("tag", "-f", "v1", second)
        try f.git("push", "-q", "--force", "origin", "v1")
        let violations = try f.evaluate([("refs/tags/v1", second, f.firstCommit)], settings: floating)
        #expect(violations.map(\.rule) == [.tagFloating])
        #expect(violations.first?.message.contains("backwards") == true)
        #expect(violations.first?.fix.contains("git fetch origin tag v1") == true)
    }

    @Test func refusesAPreRelease() throws {
        let f = try PolicyFixture()
        _ = try worldWithTwoReleases(f)
        let candidate = try f.commit("1.2 candidate")
        try f.tag("v1.2.0-rc.1")
        try f.git("push", "-q", "origin", "main", "v1.2.0-rc.1")
        let old = try f.rev("refs/tags/v1")
        let violations = try f.evaluate([("refs/tags/v1", old, candidate)], settings: floating)
        #expect(violations.map(\.rule) == [.tagFloating])
        #expect(violations.first?.message.contains("v1.2.0-rc.1, a pre-release") == true)
        // A line with only a pre-release has nothing to follow either.
        #expect(try f.rules([f.newTag("v1.2", candidate)], settings: floating) == [.tagFloating])
    }

    @Test func refusesADeletion() throws {
        let f = try PolicyFixture()
        _ = try worldWithTwoReleases(f)
        let violations = try f.evaluate([("refs/tags/v1", f.rev("refs/tags/v1"), nil)], settings: floating)
        #expect(violations.map(\.rule) == [.tagFloating])
        #expect(violations.first?.message.contains("deletes the floating tag v1") == true)
        #expect(violations.first?.fix.contains("git tag -f v1 'v1.1.0^{commit}'") == true)
    }

    /// The GitHub Actions release: the new version and its floating tags in one push, in any
    /// order, judged against the line as the push leaves it.
    @Test func followsANewReleaseOfTheSamePush() throws {
        let f = try PolicyFixture()
        try f.git("tag", "v1", f.firstCommit)
        try f.git("push", "-q", "origin", "v1")
        let next = try f.commit("1.1")
        let release = try f.tag("v1.1.0")
        let old = try f.rev("refs/tags/v1")
        let push = [
            ("refs/tags/v1", old, next), f.newTag("v1.1", next), ("refs/heads/main", f.firstCommit, next), f.newTag("v1.1.0", release),
        ]
        #expect(try f.rules(push, settings: floating) == [])
        // Without the release (made nowhere), v1 would point at an unreleased commit.
        try f.deleteLocalTag("v1.1.0")
        #expect(try f.rules([("refs/tags/v1", old, next), ("refs/heads/main", f.firstCommit, next)], settings: floating) == [.tagFloating])
        // A pre-release in the same push is no release to follow.
        let candidate = try f.tag("v1.1.0-rc.1")
        #expect(
            try f.rules(
                [("refs/tags/v1", old, next), ("refs/heads/main", f.firstCommit, next), f.newTag("v1.1.0-rc.1", candidate)],
                settings: floating)
                == [.tagFloating])
    }

    @Test func mapsAFloatingTagToNoEnvironment() throws {
        var settings = floating
        settings.environments = [Environment(name: "prod", refs: [.glob("refs/tags/v*")])]
        let deployment = Deployment(ref: "refs/tags/v1", settings: settings)
        #expect(deployment.environment == nil)
        #expect(deployment.note?.contains("floating tag") == true)
        #expect(Deployment(ref: "refs/tags/v1.2.0", settings: settings).environment == "prod")
        // With the setting off, v1 is no floating tag: the glob takes it, as before.
        settings.floatingTags = false
        #expect(Deployment(ref: "refs/tags/v1", settings: settings).environment == "prod")
    }

    /// The hook's reader gives the same verdicts as libgit2 on floating tags.
    @Test func theFileReaderAgreesWithLibgit2() throws {
        let f = try PolicyFixture()
        let second = try worldWithTwoReleases(f)
        let old = try f.rev("refs/tags/v1")
        for updates in [
            [("refs/tags/v1", old, second)], [("refs/tags/v1", old, f.firstCommit)], [("refs/tags/v1", old, nil)],
            [f.newTag("v1.1", second)], [f.newTag("v2", second)],
        ] as [[(String, String?, String?)]] {
            #expect(
                try f.evaluateFileFirst(updates, settings: floating).violations == f.evaluate(updates, settings: floating), "\(updates)")
        }
    }
}
