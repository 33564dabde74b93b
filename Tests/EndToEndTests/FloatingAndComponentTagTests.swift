import Foundation
import TestSupport
import Testing

/// Floating tags (`release.floatingTags`) and monorepo component tags (`[component "NAME"]`)
/// through real pushes: the clone's pre-push hook, and the server's hooks in origin for pushes
/// made with `--no-verify`.
struct FloatingAndComponentTagTests {
    /// A clone with the pre-push hook and `policy` committed on main, and origin guarded by the
    /// server hooks with the same policy; `before` runs on the clone before origin is guarded.
    func guardedBothWays(policy: String, before: (GuardedClone) throws -> Void = { _ in }) throws -> GuardedClone {
        let clone = try GuardedClone(hook: .prePush)
        try before(clone)
        try clone.installServerHook(policy: policy)
        try clone.scratch.write(policy, to: clone.work + "/.release-guardian")
        _ = try clone.git("add", ".release-guardian")
        _ = try clone.commit("release policy")
        let push = try clone.push("-q", "origin", "main")
        #expect(push.status == 0, "\(push.stderr)")
        return clone
    }

    /// Pushes `arguments` once through the pre-push hook and once with `--no-verify` (the server
    /// alone): both must be refused by `rule` and leave origin as it was.
    func expectRefusedBothWays(_ clone: GuardedClone, _ rule: String, _ arguments: String..., mentioning: String? = nil) throws {
        let before = try clone.originRefs()
        for noVerify in [false, true] {
            let push = try clone.scratch.run(
                "/usr/bin/env", ["git", "push"] + (noVerify ? ["--no-verify"] : []) + arguments, in: clone.work)
            let place = noVerify ? "server" : "pre-push hook"
            #expect(push.status != 0, "\(place): \(arguments) was not refused")
            // The server's verdict reaches the pusher as remote: lines; the hook's stays local.
            #expect(push.stderr.contains((noVerify ? "remote:   " : "  ") + "[\(rule)]"), "\(place): \(push.stderr)")
            #expect(noVerify || !push.stderr.contains("remote:"), "the pre-push hook let it through: \(push.stderr)")
            if let mentioning { #expect(push.stderr.contains(mentioning), "\(place): \(push.stderr)") }
            #expect(try clone.originRefs() == before, "\(place): origin changed")
        }
    }

    @Test func movesAFloatingTagWithItsReleaseAndRefusesEveryOtherMove() throws {
        let clone = try guardedBothWays(policy: "[release]\n    floatingTags = true\n")
        // v1 follows v1.0.0 (lightweight, as GitHub Actions authors make them).
        _ = try clone.git("tag", "v1", "v1.0.0^{commit}")
        let first = try clone.push("origin", "v1")
        #expect(first.status == 0, "\(first.stderr)")
        // The release and the move in one push, not --atomic: git sends v1 (origin has it) before
        // v1.1.0 and writes them one transaction at a time, so the server refuses to write v1
        // before its release is there (counting on a release not yet written would race with
        // another push that takes v1.1.0 first), and says how to push them.
        _ = try clone.commit("1.1")
        try clone.tag("v1.1.0")
        let released = try clone.rev("v1.1.0^{commit}")
        _ = try clone.git("tag", "-f", "v1", "v1.1.0^{commit}")
        let apart = try clone.push("origin", "main", "v1.1.0", "+refs/tags/v1")
        #expect(apart.status != 0)
        #expect(apart.stderr.contains("git push --atomic"), "\(apart.stderr)")
        #expect(apart.stderr.contains("refs this push wrote before them stay"), "\(apart.stderr)")
        #expect(!(try clone.originRefs().contains("refs/tags/v1 \(released)")))
        // The release first, then the move (the failed push left origin/main behind: fetch).
        _ = try clone.git("fetch", "-q", "origin")
        let releaseFirst = try clone.push("origin", "main", "v1.1.0")
        #expect(releaseFirst.status == 0, "\(releaseFirst.stderr)")
        let move = try clone.push("origin", "+refs/tags/v1")
        #expect(move.status == 0, "\(move.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1 \(released)"))
        // With --atomic, the release and the move are one transaction, judged together.
        _ = try clone.commit("1.2")
        try clone.tag("v1.2.0")
        let second = try clone.rev("v1.2.0^{commit}")
        _ = try clone.git("tag", "-f", "v1", "v1.2.0^{commit}")
        let atomic = try clone.push("--atomic", "origin", "main", "v1.2.0", "+refs/tags/v1")
        #expect(atomic.status == 0, "\(atomic.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1 \(second)"))

        // Backwards.
        _ = try clone.git("tag", "-f", "v1", "v1.0.0^{commit}")
        try expectRefusedBothWays(clone, "tag-floating", "origin", "+refs/tags/v1", mentioning: "backwards")
        // To a pre-release, which is no final release of the line.
        _ = try clone.commit("1.3 candidate")
        try clone.tag("v1.3.0-rc.1")
        #expect(try clone.push("-q", "origin", "main", "v1.3.0-rc.1").status == 0)
        _ = try clone.git("tag", "-f", "v1", "v1.3.0-rc.1^{commit}")
        try expectRefusedBothWays(clone, "tag-floating", "origin", "+refs/tags/v1", mentioning: "a pre-release")
        // A line's tag at a release that is not its line's highest (v1.0 follows v1.0.0).
        _ = try clone.git("tag", "v1.0", "v1.1.0^{commit}")
        try expectRefusedBothWays(
            clone, "tag-floating", "origin", "refs/tags/v1.0", mentioning: "the highest release of line 1.0 is v1.0.0")
        // Deleted.
        try expectRefusedBothWays(clone, "tag-floating", "origin", ":refs/tags/v1", mentioning: "deletes the floating tag v1")
    }

    @Test func saysAFloatingTagDeploysNowhereAndIsAFormatErrorWithoutTheSetting() throws {
        let clone = try guardedBothWays(policy: "[release]\n    floatingTags = true\n")
        _ = try clone.git("tag", "v1", "v1.0.0^{commit}")
        #expect(try clone.push("-q", "origin", "v1").status == 0)
        let env = try clone.releaseGuardian("env", "v1")
        #expect(env.status == 0 && env.stdout.isEmpty)
        #expect(env.stderr.contains("v1 is a floating tag"), "\(env.stderr)")
        let ci = try clone.releaseGuardian("ci", "--ref", "refs/tags/v1")
        #expect(ci.status == 0, "\(ci.stdout)\(ci.stderr)")
        #expect(ci.stdout.contains("refs/tags/v1 → no environment"))
        #expect(ci.stdout.contains("checked: tag-format, tag-target, tag-floating"))
        // Without the setting (the clone's own git config turns it off): a tag-format error
        // whose fix names the setting.
        _ = try clone.git("config", "release-guardian.release.floatingTags", "false")
        _ = try clone.git("tag", "v1.1", "v1.0.0^{commit}")
        let refused = try clone.push("origin", "v1.1")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("[tag-format]") && refused.stderr.contains("release.floatingTags = true"), "\(refused.stderr)")
    }

    @Test func judgesAComponentsTagsOnTheirOwnLines() throws {
        let policy = """
            [component "google-gax"]
                prefix = google-gax-v
            [environment "prod"]
                ref = release-tags
            [environment "gax-prod"]
                ref = release-tags:google-gax

            """
        // The plain tags are at v5.0.5 already (pushed before origin was guarded).
        let clone = try guardedBothWays(policy: policy) { clone in
            try clone.tag("v5.0.5")
            _ = try clone.push("-q", "--no-verify", "origin", "v5.0.5")
        }
        _ = try clone.commit("gax 5.0.4")
        try clone.tag("google-gax-v5.0.4")
        let first = try clone.push("origin", "main", "google-gax-v5.0.4")
        #expect(first.status == 0, "\(first.stderr)")
        // A skip in the component: its own line, its own names.
        try clone.tag("google-gax-v5.0.6")
        try expectRefusedBothWays(
            clone, "tag-skip", "origin", "google-gax-v5.0.6",
            mentioning: "after google-gax-v5.0.4, the next version of line 5.0 of component google-gax is google-gax-v5.0.5")
        // The same version of the plain tags is next in their line.
        try clone.tag("v5.0.6")
        let plain = try clone.push("origin", "v5.0.6")
        #expect(plain.status == 0, "\(plain.stderr)")
        // A component's release tag never moves either.
        _ = try clone.git("tag", "-f", "-a", "google-gax-v5.0.4", "-m", "moved")
        try expectRefusedBothWays(clone, "tag-immutable", "origin", "+refs/tags/google-gax-v5.0.4")
        _ = try clone.git("tag", "-d", "google-gax-v5.0.4")
        _ = try clone.git("fetch", "-q", "origin", "tag", "google-gax-v5.0.4")

        // env and ci say which component and version a tag carries, and where it deploys.
        let json = try clone.releaseGuardian("env", "google-gax-v5.0.4", "--format", "json")
        #expect(
            json.stdout
                == #"{"component":"google-gax","environment":"gax-prod","ref":"refs/tags/google-gax-v5.0.4","targets":[],"version":"5.0.4"}"#
                + "\n",
            "\(json.stdout)\(json.stderr)")
        #expect(
            try clone.releaseGuardian("env", "google-gax-v5.0.4", "--format", "shell").stdout
                == "export RELEASE_GUARDIAN_ENVIRONMENT=gax-prod\nexport RELEASE_GUARDIAN_VERSION=5.0.4\nexport RELEASE_GUARDIAN_COMPONENT=google-gax\n"
        )
        #expect(try clone.releaseGuardian("env", "v5.0.6").stdout == "prod\n")
        let ci = try clone.releaseGuardian("ci", "--ref", "refs/tags/google-gax-v5.0.4")
        #expect(ci.status == 0, "\(ci.stdout)\(ci.stderr)")
        #expect(ci.stdout.contains("refs/tags/google-gax-v5.0.4 → gax-prod (component google-gax, version 5.0.4)"), "\(ci.stdout)")
    }

    /// `audit` judges floating tags as `ci` does (they ask about their line's releases).
    @Test func auditJudgesFloatingTags() throws {
        let scratch = try Scratch()
        let work = try scratch.repository()
        _ = try scratch.commit("one", in: work)
        try scratch.tag("v1.0.0", in: work, annotated: false)
        try scratch.tag("v1.0", in: work, annotated: false)
        _ = try scratch.commit("two", in: work)
        try scratch.tag("v1.1.0", in: work, annotated: false)
        try scratch.tag("v1", in: work, annotated: false)
        _ = try scratch.commit("three", in: work)
        try scratch.tag("v2", in: work, annotated: false)
        try scratch.write("[release]\n    floatingTags = true\n", to: work + "/.release-guardian")
        let audit = try scratch.run(binary, ["audit", "--json"], in: work)
        #expect(audit.status == 1, "\(audit.stdout)\(audit.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any]
        let tags = (document?["tags"] as? [[String: Any]]) ?? []
        let refused = tags.filter { !(($0["violations"] as? [Any]) ?? []).isEmpty }.compactMap { $0["tag"] as? String }
        #expect(refused == ["v2"], "\(audit.stdout)")
    }
}
