import Foundation
import TestSupport
import Testing

/// The installed hook, fired by real `git push` to a bare origin.
struct PrePushHookTests {
    /// One way to break each rule of the table, set up in the clone, and the push that tries it.
    struct Breach: CustomTestStringConvertible, Sendable {
        let rule: String
        let setUp: @Sendable (GuardedClone) throws -> Void
        let push: [String]
        var testDescription: String { rule }
    }

    static let breaches: [Breach] = [
        Breach(rule: "tag-format", setUp: { try $0.tag("V1.0.1") }, push: ["origin", "V1.0.1"]),
        Breach(rule: "tag-spelling", setUp: { try $0.tag("1.0.0") }, push: ["origin", "1.0.0"]),
        Breach(rule: "tag-target", setUp: { try $0.tag("v1.0.1", at: "HEAD^{tree}") }, push: ["origin", "v1.0.1"]),
        Breach(
            rule: "tag-annotated",
            setUp: { clone in
                _ = try clone.git("config", "release-guardian.release.requireAnnotated", "true")
                try clone.tag("v1.0.1", annotated: false)
            }, push: ["origin", "v1.0.1"]),
        Breach(
            rule: "tag-immutable",
            setUp: { clone in
                _ = try clone.commit("second")
                _ = try clone.push("-q", "origin", "main")
                _ = try clone.git("tag", "-f", "-a", "v1.0.0", "-m", "moved")
            }, push: ["--force", "origin", "v1.0.0"]),
        Breach(rule: "tag-delete", setUp: { _ in }, push: ["origin", ":refs/tags/v1.0.0"]),
        Breach(rule: "tag-order", setUp: { try $0.tag("v0.9.0") }, push: ["origin", "v0.9.0"]),
        Breach(rule: "tag-skip", setUp: { try $0.tag("v1.0.2") }, push: ["origin", "v1.0.2"]),
        Breach(
            rule: "tag-on-main",
            setUp: { clone in
                _ = try clone.git("checkout", "-q", "-b", "feature")
                _ = try clone.commit("unmerged work")
                try clone.tag("v1.0.1")
            }, push: ["origin", "v1.0.1"]),
        Breach(
            rule: "main-force",
            setUp: { clone in
                _ = try clone.commit("second")
                _ = try clone.push("-q", "origin", "main")
                _ = try clone.git("reset", "-q", "--hard", "HEAD~1")
                _ = try clone.commit("rewritten")
            }, push: ["--force", "origin", "main"]),
        Breach(rule: "main-delete", setUp: { _ in }, push: ["origin", ":main"]),
        Breach(
            rule: "release-branch",
            setUp: { clone in
                _ = try clone.commit("second")
                _ = try clone.push("-q", "origin", "main")
            }, push: ["origin", "HEAD:refs/heads/release/v1.0.0"]),
    ]

    @Test(arguments: breaches)
    func refusesEachRuleThroughGitAndLeavesOriginUnchanged(_ breach: Breach) throws {
        let clone = try GuardedClone()
        try breach.setUp(clone)
        let before = try clone.originRefs()
        let push = try clone.scratch.run("/usr/bin/env", ["git", "push"] + breach.push, in: clone.work)
        #expect(push.status != 0, "the push went through")
        #expect(push.stderr.contains("[\(breach.rule)]"), "stderr: \(push.stderr)")
        #expect(push.stderr.contains("fix: "), "no fix given: \(push.stderr)")
        #expect(try clone.originRefs() == before)
    }

    @Test func letsOrdinaryWorkThrough() throws {
        let clone = try GuardedClone()
        // A feature branch, then a force-push of it after a rewrite.
        _ = try clone.git("checkout", "-q", "-b", "feature")
        _ = try clone.commit("wip")
        #expect(try clone.push("-q", "origin", "feature").status == 0)
        _ = try clone.git("commit", "-q", "--amend", "--allow-empty", "-m", "wip, reworded")
        #expect(try clone.push("-q", "--force", "origin", "feature").status == 0)
        // A tag that is not a version.
        try clone.tag("nightly", annotated: false)
        #expect(try clone.push("-q", "origin", "nightly").status == 0)
        // Main fast-forward with its new release tag in one push.
        _ = try clone.git("checkout", "-q", "main")
        _ = try clone.commit("feature merged")
        try clone.tag("v1.1.0")
        let release = try clone.push("--follow-tags", "origin", "main")
        #expect(release.status == 0, "\(release.stderr)")
        // A hotfix of the older line after v1.1.0: its maintenance branch pushed first, from v1.0.0.
        _ = try clone.git("checkout", "-q", "-b", "release/v1.0", "v1.0.0")
        #expect(try clone.push("-q", "origin", "release/v1.0").status == 0)
        _ = try clone.commit("hotfix")
        try clone.tag("v1.0.1")
        let hotfix = try clone.push("origin", "release/v1.0", "v1.0.1")
        #expect(hotfix.status == 0, "\(hotfix.stderr)")
        let refs = try clone.originRefs()
        for ref in ["refs/heads/feature", "refs/tags/nightly", "refs/tags/v1.1.0", "refs/heads/release/v1.0", "refs/tags/v1.0.1"] {
            #expect(refs.contains(ref + " "), "\(ref) missing on origin")
        }
        #expect(try clone.git("rev-parse", "main") == clone.scratch.git("rev-parse", "main", in: clone.origin))
    }

    @Test func oneBadRefRefusesTheWholePush() throws {
        let clone = try GuardedClone()
        _ = try clone.git("checkout", "-q", "-b", "feature")
        _ = try clone.commit("fine")
        try clone.tag("v1.0.5")
        let before = try clone.originRefs()
        let push = try clone.push("origin", "feature", "v1.0.5")
        #expect(push.status != 0)
        #expect(push.stderr.contains("[tag-skip]"))
        #expect(try clone.originRefs() == before)
    }

    @Test func honoursCoreHooksPathAndChainsTheHookItFinds() throws {
        let clone = try GuardedClone(hook: .none)
        let hooks = clone.work + "/.githooks"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        _ = try clone.git("config", "core.hooksPath", ".githooks")
        // This clone's own hooks (ignored), so the hook names this binary (HookManagerTests has a tracked one).
        try clone.scratch.write(".githooks/\n", to: clone.work + "/.git/info/exclude")
        // A team's own pre-push hook, which records what git gave it.
        let record = clone.scratch.root + "/foreign-hook-saw"
        try clone.scratch.write(
            "#!/bin/sh\necho \"$1 $2\" > '\(record)'\ncat >> '\(record)'\nexit ${FOREIGN_EXIT:-0}\n", to: hooks + "/pre-push")
        _ = try clone.scratch.run("/bin/chmod", ["+x", hooks + "/pre-push"], in: clone.work)

        let install = try clone.releaseGuardian("install")
        #expect(install.status == 0)
        #expect(install.stdout.contains("pre-push.chained"))
        #expect(FileManager.default.fileExists(atPath: hooks + "/pre-push.chained"))
        #expect(try String(contentsOfFile: hooks + "/pre-push", encoding: .utf8).contains("release-guardian pre-push hook"))

        // Both hooks run: the foreign one sees the same input; ours still refuses.
        try clone.tag("v1.0.2")
        let refused = try clone.push("origin", "v1.0.2")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("[tag-skip]"))
        let seen = try String(contentsOfFile: record, encoding: .utf8)
        #expect(seen.contains("origin \(clone.origin)"))
        #expect(seen.contains("refs/tags/v1.0.2 "))

        // A refusal by the foreign hook still stops the push.
        _ = try clone.git("tag", "-d", "v1.0.2")
        try clone.tag("v1.0.1")
        let foreignSaysNo = try clone.scratch.run(
            "/usr/bin/env", ["git", "push", "origin", "v1.0.1"], in: clone.work,
            extraEnvironment: ["FOREIGN_EXIT": "3"])
        #expect(foreignSaysNo.status != 0)
        let allowed = try clone.push("origin", "v1.0.1")
        #expect(allowed.status == 0, "\(allowed.stderr)")

        // Installing again updates our hook and leaves the chained one alone.
        let again = try clone.releaseGuardian("install")
        #expect(again.status == 0)
        #expect(again.stdout.contains("Updated"))
    }

    @Test func theHookDoesNotCallCheckWhenGitHasNothingToPush() throws {
        let clone = try GuardedClone()
        // git gives the hook no lines when everything is up to date: no "nothing was checked" warning.
        let upToDate = try clone.push("origin", "main")
        #expect(upToDate.status == 0)
        #expect(!upToDate.stderr.contains("warning"), "\(upToDate.stderr)")
    }

    @Test func worksInAShallowCloneAndSaysSoWhenHistoryMatters() throws {
        let clone = try GuardedClone()
        _ = try clone.commit("second")
        #expect(try clone.push("-q", "origin", "main").status == 0)
        let shallow = clone.scratch.root + "/shallow"
        try clone.scratch.git("clone", "-q", "--depth", "1", "file://" + clone.origin, shallow, in: clone.scratch.root)
        #expect(try clone.scratch.run(binary, ["install"], in: shallow).status == 0)
        try clone.scratch.commit("from the shallow clone", in: shallow)
        try clone.scratch.tag("v1.1.0", in: shallow)
        let good = try clone.scratch.run("/usr/bin/env", ["git", "push", "--follow-tags", "origin", "main"], in: shallow)
        #expect(good.status == 0, "\(good.stderr)")
        // Meanwhile the shallow clone rewrites main: refused, with the way to get the history.
        try clone.scratch.git("reset", "-q", "--hard", "HEAD~1", in: shallow)
        try clone.scratch.commit("rewrite", in: shallow)
        let rewrite = try clone.scratch.run("/usr/bin/env", ["git", "push", "--force", "origin", "main"], in: shallow)
        #expect(rewrite.status != 0)
        #expect(rewrite.stderr.contains("[main-force]"))
        #expect(rewrite.stderr.contains("git fetch --unshallow"))
    }

    @Test func honoursAConfiguredMainBranchOnTheFastPath() throws {
        let clone = try GuardedClone()
        try clone.scratch.write("[release]\n    main = trunk\n", to: clone.work + "/.release-guardian")
        _ = try clone.git("branch", "trunk")
        #expect(try clone.push("-q", "origin", "trunk").status == 0)
        _ = try clone.git("checkout", "-q", "-b", "other", "HEAD")
        _ = try clone.commit("unrelated")
        let rewrite = try clone.push("--force", "origin", "HEAD:trunk")
        #expect(rewrite.status == 0)  // a fast-forward: fine
        _ = try clone.git("reset", "-q", "--hard", "HEAD~1")
        _ = try clone.commit("rewritten")
        let refused = try clone.push("--force", "origin", "HEAD:trunk")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("[main-force]"))
    }

    @Test func aMalformedSettingsFileStopsThePushNamingFileAndLine() throws {
        let clone = try GuardedClone()
        try clone.scratch.write("[release]\n  main = main\n[oops\n", to: clone.work + "/.release-guardian")
        try clone.tag("v1.0.1")
        let push = try clone.push("origin", "v1.0.1")
        #expect(push.status != 0)
        #expect(push.stderr.contains(".release-guardian:3"), "\(push.stderr)")
    }
}
