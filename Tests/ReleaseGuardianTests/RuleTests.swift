import Git
import Testing
@testable import ReleaseGuardian

/// Each rule of SPEC.md refuses and allows, on real repositories.
struct RuleTests {
    @Test func tagFormatRefusesVersionTagsThatAreNotReleaseTags() throws {
        let f = try PolicyFixture()
        _ = try f.commit("second")
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        for malformed in ["V1.0.1", "v1.0.1+build.7", "1.0.1", "v1.0", "v01.0.1"] {
            #expect(try f.rules([f.newTag(malformed, f.tag(malformed))]) == [.tagFormat], "\(malformed)")
            try f.deleteLocalTag(malformed)
        }
        #expect(try f.rules([f.newTag("v1.0.1", f.tag("v1.0.1"))]) == [])
        #expect(try f.rules([f.newTag("latest", f.tag("latest"))]) == [])
    }

    @Test func tagFormatRefusesEveryOtherTagWhenOnlyVersionTagsAreAllowed() throws {
        let f = try PolicyFixture()
        var settings = Settings()
        settings.onlyVersionTags = true
        #expect(try f.rules([f.newTag("latest", f.tag("latest"))], settings: settings) == [.tagFormat])
    }

    @Test func tagSpellingRefusesASecondSpellingOfAnExistingVersion() throws {
        let f = try PolicyFixture()
        #expect(try f.rules([f.newTag("V1.0.0", f.tag("V1.0.0"))]) == [.tagFormat, .tagSpelling])
        try f.deleteLocalTag("V1.0.0")
        let violations = try f.evaluate([f.newTag("1.0.0", f.tag("1.0.0"))])
        #expect(violations.map(\.rule) == [.tagFormat, .tagSpelling])
        #expect(violations[1].message.contains("already tagged as v1.0.0"))
    }

    @Test func tagTargetRefusesATagOfATree() throws {
        let f = try PolicyFixture()
        _ = try f.commit("second")
        let tree = try f.rev("HEAD^{tree}")
        #expect(try f.rules([f.newTag("v1.0.1", f.tag("v1.0.1", at: tree))]) == [.tagTarget])
    }

    @Test func tagAnnotatedRefusesALightweightReleaseTagOnlyWhenTurnedOn() throws {
        let f = try PolicyFixture()
        _ = try f.commit("second")
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        let light = try f.tag("v1.0.1", annotated: false)
        // Off by default: release-please's tags are lightweight.
        #expect(try f.rules([f.newTag("v1.0.1", light)]) == [])
        var settings = Settings()
        settings.requireAnnotated = true
        #expect(try f.rules([f.newTag("v1.0.1", light)], settings: settings) == [.tagAnnotated])
        // The other rules still judge a lightweight tag.
        let skip = try f.tag("v1.0.3", annotated: false)
        #expect(try f.rules([f.newTag("v1.0.3", skip)]) == [.tagSkip])
    }

    @Test func tagOrderSuggestsTheNextPrereleaseForAPrereleaseCutTooLate() throws {
        let f = try PolicyFixture()
        _ = try f.commit("1.0.1")
        _ = try f.tag("v1.0.1")
        try f.scratch.git("push", "-q", "origin", "main", "v1.0.1", in: f.work)
        let late = try f.evaluate([f.newTag("v1.0.0-alpha.0", f.tag("v1.0.0-alpha.0"))])
        #expect(late.map(\.rule) == [.tagOrder])
        #expect(late.first?.fix.contains("v1.0.2-alpha.0") == true, "\(late)")
        #expect(
            TagOrderRule.next(above: try SemanticVersion(parsing: "1.0.2-beta.1"), like: try SemanticVersion(parsing: "1.0.2-alpha"))
                == "1.0.2-beta.2")
        #expect(
            TagOrderRule.next(above: try SemanticVersion(parsing: "1.0.2-rc"), like: try SemanticVersion(parsing: "1.0.2-beta"))
                == "1.0.2-rc.1")
        #expect(
            TagOrderRule.next(above: try SemanticVersion(parsing: "1.0.2-alpha.1"), like: try SemanticVersion(parsing: "1.0.1-beta.0"))
                == "1.0.2-beta.0")
        #expect(TagOrderRule.next(above: try SemanticVersion(parsing: "1.0.2"), like: try SemanticVersion(parsing: "1.0.1")) == "1.0.3")
    }

    @Test func maintenanceMayRepeatAndNamesLinesAsRealHistoriesDo() throws {
        let f = try PolicyFixture()
        _ = try f.commit("2.0")
        _ = try f.tag("v2.0.0")
        _ = try f.commit("3.0")
        _ = try f.tag("v3.0.0")
        try f.scratch.git("push", "-q", "origin", "main", "v2.0.0", "v3.0.0", in: f.work)
        // Hotfixes of majors 1 and 2 on `1.x` and `release_2_x`, pushed before their tags.
        try f.scratch.git("checkout", "-q", "-b", "1.x", "v1.0.0", in: f.work)
        _ = try f.commit("fix 1")
        let one = try f.tag("v1.0.1")
        try f.scratch.git("checkout", "-q", "-b", "release_2_x", "v2.0.0", in: f.work)
        _ = try f.commit("fix 2")
        let two = try f.tag("v2.0.1")
        try f.scratch.git("push", "-q", "--no-verify", "origin", "1.x", "release_2_x", in: f.work)
        #expect(try f.rules([f.newTag("v1.0.1", one), f.newTag("v2.0.1", two)]) == [.tagOnMain, .tagOnMain])
        var settings = Settings()
        settings.maintenanceBranches = ["refs/heads/*.x", "refs/heads/release_*"]
        #expect(try f.rules([f.newTag("v1.0.1", one), f.newTag("v2.0.1", two)], settings: settings) == [])
        // Each branch vouches for its own major only.
        let wrong = try f.tag("v1.0.2", at: two)
        #expect(try f.rules([f.newTag("v1.0.2", wrong)], settings: settings) == [.tagOnMain])
        // A word with numbers in it names no line.
        #expect(MaintenanceBranch(ref: "refs/heads/release_build2", settings: settings) == nil)
        #expect(MaintenanceBranch(ref: "refs/heads/12.x", settings: settings)?.lineName == "12")
        // `*` stays within one path component: a nested branch is not `*.x`.
        #expect(MaintenanceBranch(ref: "refs/heads/feature/2.x", settings: settings) == nil)
        #expect(MaintenanceBranch(ref: "refs/heads/release_2_3_x", settings: settings)?.lineName == "2.3")
    }

    @Test func tagImmutableRefusesMovingAnExistingReleaseTag() throws {
        let f = try PolicyFixture()
        let released = try f.rev("refs/tags/v1.0.0")
        _ = try f.commit("second")
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        try f.scratch.git("tag", "-f", "-a", "v1.0.0", "-m", "moved", in: f.work)
        let moved = try f.rev("refs/tags/v1.0.0")
        #expect(try f.rules([("refs/tags/v1.0.0", released, moved)]) == [.tagImmutable])
        #expect(try f.rules([("refs/tags/v1.0.0", released, released)]) == [])
    }

    @Test func tagDeleteRefusesDeletingAReleaseTagButNotOthers() throws {
        let f = try PolicyFixture()
        #expect(try f.rules([("refs/tags/v1.0.0", f.rev("refs/tags/v1.0.0"), nil)]) == [.tagDelete])
        #expect(try f.rules([("refs/tags/nightly", f.firstCommit, nil)]) == [])
        #expect(try f.rules([("refs/tags/V1.0.0", f.firstCommit, nil)]) == [])  // cleaning up a bad spelling
    }

    @Test func tagOrderRefusesATagBelowItsLineOrANewLineOrMajorBelowTheOthers() throws {
        let f = try PolicyFixture()
        _ = try f.commit("1.1")
        _ = try f.tag("v1.1.0")
        _ = try f.commit("2.0")
        _ = try f.tag("v2.0.0")
        try f.scratch.git("push", "-q", "origin", "main", "v1.1.0", "v2.0.0", in: f.work)
        #expect(try f.rules([f.newTag("v1.1.0-rc.1", f.tag("v1.1.0-rc.1"))]) == [.tagOrder])
        #expect(try f.rules([f.newTag("v0.9.0", f.tag("v0.9.0"))]) == [.tagOrder])
        // A hotfix on an older line is in order.
        #expect(try f.rules([f.newTag("v1.0.1", f.tag("v1.0.1", at: f.firstCommit))]) == [])
        #expect(try f.rules([f.newTag("v2.1.0-rc.1", f.tag("v2.1.0-rc.1"))]) == [])
    }

    @Test func tagOrderRefusesANewLineBelowAnExistingLineOfItsMajor() throws {
        let f = try PolicyFixture()
        _ = try f.commit("1.2")
        _ = try f.tag("v1.2.0")
        try f.scratch.git("push", "-q", "origin", "main", "v1.2.0", in: f.work)
        var settings = Settings()
        settings.allowSkip = true
        #expect(try f.rules([f.newTag("v1.1.0", f.tag("v1.1.0"))], settings: settings) == [.tagOrder])
    }

    @Test func tagSkipRefusesSkippingAVersionUnlessAllowed() throws {
        let f = try PolicyFixture()
        _ = try f.commit("next")
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        for skipping in ["v1.0.2", "v1.2.0", "v1.1.1", "v3.0.0", "v2.0.1", "v1.30.0"] {
            #expect(try f.rules([f.newTag(skipping, f.tag(skipping))]) == [.tagSkip], "\(skipping)")
            try f.deleteLocalTag(skipping)
        }
        for next in ["v1.0.1", "v1.1.0", "v2.0.0", "v1.1.0-rc.1", "v2.0.0-beta"] {
            #expect(try f.rules([f.newTag(next, f.tag(next))]) == [], "\(next)")
            try f.deleteLocalTag(next)
        }
        var settings = Settings()
        settings.allowSkip = true
        #expect(try f.rules([f.newTag("v1.0.2", f.tag("v1.0.2"))], settings: settings) == [])
    }

    @Test func tagSkipLetsTheFirstReleaseBeAnyVersion() throws {
        let f = try PolicyFixture()
        try f.scratch.git("tag", "-d", "v1.0.0", in: f.work)
        #expect(try f.rules([f.newTag("v3.4.5", f.tag("v3.4.5"))]) == [])
    }

    @Test func tagOnMainRefusesACommitThatIsNotOnMainAfterThePush() throws {
        let f = try PolicyFixture()
        try f.scratch.git("checkout", "-q", "-b", "feature", in: f.work)
        let feature = try f.commit("feature work")
        let tag = try f.tag("v1.0.1")
        #expect(try f.rules([f.newTag("v1.0.1", tag)]) == [.tagOnMain])
        // The same push moving main onto the commit makes it fine.
        #expect(try f.rules([("refs/heads/main", f.firstCommit, feature), f.newTag("v1.0.1", tag)]) == [])
        // Local main ahead does not count while the remote-tracking main exists...
        try f.scratch.git("branch", "-f", "main", "feature", in: f.work)
        #expect(try f.rules([f.newTag("v1.0.1", tag)]) == [.tagOnMain])
        // ...but is the fallback when there is no remote-tracking main (a push to a URL).
        #expect(try f.rules([f.newTag("v1.0.1", tag)], vantage: .client(remote: f.origin)) == [])
    }

    @Test func tagOnMainAcceptsAHotfixOnAMaintenanceBranchPushedBefore() throws {
        let f = try PolicyFixture()
        _ = try f.commit("1.1")
        _ = try f.tag("v1.1.0")
        try f.scratch.git("push", "-q", "origin", "main", "v1.1.0", in: f.work)
        try f.scratch.git("checkout", "-q", "-b", "release/v1.0", "v1.0.0", in: f.work)
        let fix = try f.commit("hotfix")
        let tag = try f.tag("v1.0.1")
        // The maintenance branch exists only here: after the push the commit is on no branch.
        #expect(try f.rules([f.newTag("v1.0.1", tag)]) == [.tagOnMain])
        // Created by the same push, it vouches for nothing (and may not start off its line).
        #expect(try f.rules([("refs/heads/release/v1.0", nil, fix), f.newTag("v1.0.1", tag)]) == [.maintenanceBranch, .tagOnMain])
        // Once the maintenance branch is on origin, the tag alone is fine.
        try f.scratch.git("push", "-q", "--no-verify", "origin", "release/v1.0", in: f.work)
        #expect(try f.rules([f.newTag("v1.0.1", tag)]) == [])
        // It vouches for hotfixes of its own line only.
        let minor = try f.tag("v1.2.0")
        #expect(try f.rules([f.newTag("v1.2.0", minor)]).contains(.tagOnMain))
    }

    @Test func mainForceRefusesRewritingMain() throws {
        let f = try PolicyFixture()
        let second = try f.commit("second")
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        try f.scratch.git("reset", "-q", "--hard", f.firstCommit, in: f.work)
        let rewritten = try f.commit("rewritten")
        #expect(try f.rules([("refs/heads/main", second, rewritten)]) == [.mainForce])
        let third = try f.commit("third")
        #expect(try f.rules([("refs/heads/main", rewritten, third)]) == [])
        // A remote head this repository has never seen cannot be an ancestor.
        #expect(try f.rules([("refs/heads/main", String(repeating: "e", count: 40), third)]) == [.mainForce])
        // Force-pushing any other branch is fine.
        #expect(try f.rules([("refs/heads/feature", second, rewritten)]) == [])
    }

    @Test func mainDeleteRefusesDeletingMain() throws {
        let f = try PolicyFixture()
        #expect(try f.rules([("refs/heads/main", f.firstCommit, nil)]) == [.mainDelete])
        #expect(try f.rules([("refs/heads/feature", f.firstCommit, nil)]) == [])
    }

    @Test func releaseBranchMustPointAtItsTagsCommit() throws {
        let f = try PolicyFixture()
        let second = try f.commit("second")
        #expect(try f.rules([("refs/heads/release/v1.0.0", nil, second)]) == [.releaseBranch])
        #expect(try f.rules([("refs/heads/release/v1.0.0", nil, f.firstCommit)]) == [])
        #expect(try f.rules([("refs/heads/release/v9.9.9", nil, f.firstCommit)]) == [.releaseBranch])
        // A maintenance line branch is not a rollback branch: it starts on main or at a release of its line.
        #expect(try f.rules([("refs/heads/release/v1.0", nil, f.firstCommit)]) == [])
        #expect(try f.rules([("refs/heads/release/v1.0", nil, second)]) == [.maintenanceBranch])
    }

    @Test func ordersNewTagsOfOnePushAgainstEachOther() throws {
        let f = try PolicyFixture()
        let c1 = try f.commit("1.1")
        let t1 = try f.tag("v1.1.0")
        let c2 = try f.commit("1.2")
        let t2 = try f.tag("v1.2.0")
        _ = c1
        #expect(try f.rules([("refs/heads/main", f.firstCommit, c2), f.newTag("v1.2.0", t2), f.newTag("v1.1.0", t1)]) == [])
        // Judged alone (v1.1.0 never made), v1.2.0 skips a version.
        try f.deleteLocalTag("v1.1.0")
        #expect(try f.rules([("refs/heads/main", f.firstCommit, c2), f.newTag("v1.2.0", t2)]) == [.tagSkip])
    }

    @Test func usesTheConfiguredMainBranch() throws {
        let f = try PolicyFixture()
        var settings = Settings()
        settings.mainBranch = "refs/heads/trunk"
        #expect(try f.rules([("refs/heads/main", f.firstCommit, nil)], settings: settings) == [])
        #expect(try f.rules([("refs/heads/trunk", f.firstCommit, nil)], settings: settings) == [.mainDelete])
    }

    @Test func reportsAMissingObjectAsAnErrorNotAVerdict() throws {
        let f = try PolicyFixture()
        let error = #expect(throws: PolicyError.self) {
            try f.evaluate([f.newTag("v1.0.1", String(repeating: "d", count: 40))])
        }
        if case .missingObject(let ref, let id)? = error {
            #expect(ref == "refs/tags/v1.0.1" && id.hex == String(repeating: "d", count: 40))
        } else if let error {
            Issue.record("refused for another reason: \(error)")
        }
    }

    /// The reader that works without libgit2 gives the same verdicts, or steps aside.
    @Test func theLooseObjectReaderAgreesWithLibgit2() throws {
        let f = try PolicyFixture()
        let second = try f.commit("second")
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        let cases: [[(String, String?, String?)]] = [
            [f.newTag("v1.0.1", try f.tag("v1.0.1"))],
            [f.newTag("v1.0.3", try f.tag("v1.0.3"))],
            [f.newTag("v0.9.0", try f.tag("v0.9.0"))],
            [f.newTag("V1.0.0", try f.tag("V1.0.0"))],
            [f.newTag("v1.1.0", try f.tag("v1.1.0", annotated: false))],
            [f.newTag("v2.0.0", try f.tag("v2.0.0", at: "HEAD^{tree}"))],
            [f.newTag("v1.2.0", try f.tag("v1.2.0", at: f.firstCommit))],
            [("refs/tags/v1.0.0", try f.rev("refs/tags/v1.0.0"), nil)],
            [("refs/heads/main", second, nil)],
            [("refs/heads/release/v1.0.0", nil, second)],
        ]
        var answered = 0
        for updates in cases {
            let full = try f.evaluate(updates)
            let fast = try f.evaluateFileFirst(updates)
            #expect(fast.violations == full, "\(updates)")
            if !fast.usedLibgit2 { answered += 1 }
        }
        #expect(answered >= 7)  // most of them without libgit2
    }

    /// With packed, sorted refs only the tag names that can matter are read; the verdicts must
    /// be those of reading every name.
    @Test func readingTagsByRangeGivesTheSameVerdicts() throws {
        let f = try PolicyFixture()
        for name in ["v1.0.1", "v1.1.0", "v1.1.1", "v1.2.0", "v2.0.0", "v2.1.0", "v10.0.0", "V3.0.0", "nightly", "v1.2.0-rc.1"] {
            _ = try f.tag(name)
        }
        try f.scratch.git("push", "-q", "origin", "main", in: f.work)
        let candidates = [
            "v1.2.1", "v1.2.2", "v1.1.2", "v1.3.0", "v1.4.0", "v2.1.1", "v2.2.0", "v3.0.0", "v11.0.0", "v12.0.0",
            "v10.0.1", "v10.1.0", "v9.0.0", "v1.02.1", "v1.1.1+build", "v10.0.0",
        ]
        func verdicts() throws -> [[RuleID]] {
            try candidates.map { name in
                let id = try f.tag(name + "-candidate-object-only")
                defer { try? f.deleteLocalTag(name + "-candidate-object-only") }
                return try f.rules([f.newTag(name, id)])
            }
        }
        let unpacked = try verdicts()
        try f.scratch.git("pack-refs", "--all", in: f.work)
        #expect(try f.scratch.git("rev-parse", "--git-path", "packed-refs", in: f.work).isEmpty == false)
        let packed = try verdicts()
        #expect(packed.map { $0.map(\.rawValue) } == unpacked.map { $0.map(\.rawValue) })
        #expect(unpacked[0] == [])  // v1.2.1: the next patch
    }

    @Test func everyViolationSaysHowToFixIt() throws {
        let f = try PolicyFixture()
        let violations = try f.evaluate([("refs/tags/v1.0.0", f.rev("refs/tags/v1.0.0"), nil)])
        #expect(violations.count == 1)
        #expect(violations[0].fix.contains("git push origin :refs/tags/v1.0.0"))
    }
}
