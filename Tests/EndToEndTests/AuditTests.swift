import Foundation
import TestSupport
import Testing

/// `audit` and `release.baseline` on the three real histories of issue 12, rebuilt from the
/// shapes of their tags (`TagShapes`: names, kinds, dates and branches, in the order they were
/// made): a team's clone of an origin with that history, and the real binary.
struct AuditTests {
    /// A team's clone of an origin holding a real project's tag history.
    final class TeamClone {
        let scratch: Scratch
        let origin: String
        let work: String

        /// `policy`: the team's `.release-guardian`, committed on main (not pushed).
        init(_ project: TagShapes.Project, policy: String? = AuditTests.policy) throws {
            scratch = try Scratch()
            origin = scratch.root + "/origin.git"
            try TagShapes(project).buildBareRepository(at: origin, scratch: scratch)
            work = scratch.root + "/work"
            try scratch.git("clone", "-q", origin, work, in: scratch.root)
            try scratch.git("config", "user.name", "Test Author", in: work)
            try scratch.git("config", "user.email", "author@example.test", in: work)
            if let policy { try commitPolicy(policy) }
        }

        func commitPolicy(_ text: String) throws {
            try scratch.write(text, to: work + "/.release-guardian")
            try commitPolicyFile()
        }

        func commitPolicyFile() throws {
            try scratch.git("add", ".release-guardian", in: work)
            try scratch.git("commit", "-q", "-m", "release-guardian policy", in: work)
        }

        func run(_ arguments: String..., in directory: String? = nil) throws -> ProcessResult {
            try scratch.run(binary, arguments, in: directory ?? work)
        }

        @discardableResult
        func git(_ arguments: String...) throws -> String { try scratch.git(arguments, in: work) }

        /// `audit --json` (in `directory`, else the clone): each guarded tag's verdict then
        /// rules, and the document.
        func audit(
            _ arguments: String..., in directory: String? = nil
        ) throws -> (
            result: ProcessResult, rules: [String: [String]], document: [String: Any]
        ) {
            let result = try scratch.run(binary, ["audit", "--json"] + arguments, in: directory ?? work)
            let document = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            var rules: [String: [String]] = [:]
            for tag in document["tags"] as? [[String: Any]] ?? [] {
                let violations = (tag["violations"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
                rules[tag["tag"] as? String ?? "?"] = [tag["verdict"] as? String ?? "?"] + violations
            }
            return (result, rules, document)
        }

        /// `ci --ref` on every tag, in one shell: the tags it does not pass, with its exit code.
        func ciOnEveryTag() throws -> [String] {
            let loop = #"for t in $(git tag); do "$RG" ci --ref "refs/tags/$t" >/dev/null 2>&1 || echo "$t $?"; done"#
            let result = try scratch.run("/bin/sh", ["-c", loop], in: work, extraEnvironment: ["RG": binary])
            #expect(result.stderr.isEmpty, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init).sorted()
        }
    }

    /// A team's policy: a comment and a key that changes no verdict (`--write-baseline` keeps both).
    static let policy = "# Our release policy.\n[release]\n    allowSkip = false\n"

    /// The refused tags of `rules` (verdict `refused`), with their rules.
    static func refused(_ rules: [String: [String]]) -> [String: [String]] {
        rules.filter { $0.value.first == "refused" }.mapValues { Array($0.dropFirst()) }
    }

    // MARK: - The verdicts, pinned by tag and rule

    @Test func releasePleaseHasThreeHotfixesOffMain() throws {
        let team = try TeamClone(.releasePlease)
        let (result, rules, document) = try team.audit()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(rules.count == 366)
        // 12.x: the v12.6 hotfixes, made after v13.0.0's commit was on main, on a branch no
        // release.maintenance glob names by default.
        #expect(Self.refused(rules) == ["v12.6.1": ["tag-on-main"], "v12.6.2": ["tag-on-main"], "v12.6.3": ["tag-on-main"]])
        #expect(document["acceptingBaseline"] as? String == "v17.11.1")
        #expect((document["unguarded"] as? [String])?.isEmpty == true)
    }

    @Test func gaxNodejsHasSkipsOldBranchesPreReleasesAfterTheirReleaseAndComponentTags() throws {
        let team = try TeamClone(.gaxNodejs)
        let (result, rules, document) = try team.audit()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(rules.count == 180)
        #expect(
            Self.refused(rules) == [
                // 1.15.x, cut after v2.0.1: its first release skips v1.15.0 and its line has no
                // release to vouch for it.
                "v1.15.2": ["tag-skip", "tag-on-main"], "v1.15.3": ["tag-on-main"], "v1.15.4": ["tag-on-main"],
                // Pre-releases on branches deleted since.
                "v2.25.5-pre.0": ["tag-on-main"], "v2.25.5-pre.1": ["tag-on-main"], "v2.28.0-pre.0": ["tag-on-main"],
                // Pre-releases cut after their release.
                "v2.28.0-pre.1": ["tag-order", "tag-on-main"], "v2.28.0-alpha.0": ["tag-order", "tag-on-main"],
                "v2.28.0-alpha.1": ["tag-order"],
                // release_2_x, release-2.30.5, fix-proto.
                "v2.30.4": ["tag-on-main"], "v2.30.5": ["tag-on-main"], "v3.6.1": ["tag-on-main"],
            ])
        // Two pre-releases on one commit, made at the same second: neither counts for the other.
        #expect(rules["v2.6.2-beta.0"] == ["ok"] && rules["v2.6.2-beta.1"] == ["ok"] && rules["v2.28.2-alpha.1"] == ["ok"])
        // The monorepo's component tags are not version tags until components exist: listed as
        // unguarded. Once `[component "NAME"] prefix = NAME-v` lands for google-gax,
        // gapic-tools and google-logging-utils, each judged on its own lines (checked by
        // retagging each component alone as vX.Y.Z on the real clone), the verdicts that change:
        // google-gax-v4.3.1 [tag-skip] (after google-gax-v4.1.0: v4.2.0 to v4.3.0 were tagged
        // without the prefix) and google-gax-v4.6.1 [tag-on-main] (on no branch); the other 19
        // google-gax-v, 13 gapic-tools-v and 4 google-logging-utils-v tags are ok; 7 tags stay
        // unguarded (next, release-please-NNNN); each component will want its own baseline.
        let unguarded = document["unguarded"] as? [String] ?? []
        #expect(unguarded.count == 45)
        for name in ["next", "google-gax-v5.0.4", "gapic-tools-v1.0.3", "google-logging-utils-v1.1.1", "release-please-1805"] {
            #expect(unguarded.contains(name), "\(name)")
        }
        #expect(document["acceptingBaseline"] as? String == "v4.3.0")
    }

    @Test func releaseDrafterHasARealSkipFloatingTagsAndTagsOnNoBranch() throws {
        let team = try TeamClone(.releaseDrafter)
        let (result, rules, document) = try team.audit()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(rules.count == 75)
        #expect(
            Self.refused(rules) == [
                "v2.0.0": ["tag-on-main"], "v6.0.0-beta.1": ["tag-on-main"],
                // v5.9.0 → v5.11.0: v5.10.0 was never released.
                "v5.11.0": ["tag-skip"],
                // The GitHub Actions floating majors.
                "v5": ["tag-format"], "v6": ["tag-format"], "v7": ["tag-format"],
            ])
        #expect(document["acceptingBaseline"] as? String == "v7.7.0")
    }

    /// With the maintenance branches the teams really use (`release.maintenance` may repeat):
    /// the hotfixes on `12.x`, `1.15.x` and `release_2_x` are on a branch of their line; what
    /// stays refused is what no branch explains.
    @Test func withTheTeamsMaintenanceBranchesOnlyWhatNoBranchExplainsIsRefused() throws {
        let policy = "[release]\n    maintenance = *.x\n    maintenance = release_*\n"
        let releasePlease = try TeamClone(.releasePlease, policy: policy).audit()
        #expect(releasePlease.result.status == 0, "\(releasePlease.result.stdout)")
        #expect(Self.refused(releasePlease.rules).isEmpty)
        let gax = try TeamClone(.gaxNodejs, policy: policy).audit()
        #expect(gax.result.status == 1)
        #expect(
            Self.refused(gax.rules) == [
                // 1.15.x was cut before line 1.15 had a release: it vouches for hotfixes only.
                "v1.15.2": ["tag-skip", "tag-on-main"],
                "v2.25.5-pre.0": ["tag-on-main"], "v2.25.5-pre.1": ["tag-on-main"], "v2.28.0-pre.0": ["tag-on-main"],
                "v2.28.0-pre.1": ["tag-order", "tag-on-main"], "v2.28.0-alpha.0": ["tag-order", "tag-on-main"],
                "v2.28.0-alpha.1": ["tag-order"],
                // release-2.30.5 names a release, not a line; fix-proto names nothing.
                "v2.30.5": ["tag-on-main"], "v3.6.1": ["tag-on-main"],
            ])
    }

    /// The table, for people: the refused tags with their rule and message, a summary, and the
    /// one line that accepts the history.
    @Test func printsATableASummaryAndTheLineThatAcceptsTheHistory() throws {
        let team = try TeamClone(.releaseDrafter)
        let result = try team.run("audit")
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("tag ") == true && lines.first?.hasSuffix("verdict") == true)
        #expect(lines.contains { $0.hasPrefix("v5.11.0 ") && $0.contains("tag-skip: v5.11.0 skips a version") && $0.contains("v5.10.0") })
        #expect(lines.contains { $0.hasPrefix("v5.9.0 ") && $0.hasSuffix("  ok") })
        #expect(result.stdout.contains("75 version tags judged as when they were made: 69 ok, 6 refused"))
        #expect(result.stdout.contains("release.baseline = v7.7.0"))
        #expect(result.stdout.contains("release-guardian audit --write-baseline"))
    }

    // MARK: - Accepting the history

    /// After `audit --write-baseline` (committed), `ci` passes on a re-run of every old tag; before
    /// it, `ci` refuses exactly the tags `audit` refuses.
    @Test(arguments: TagShapes.Project.allCases)
    func afterTheBaselineCIPassesOnEveryOldTag(_ project: TagShapes.Project) throws {
        let team = try TeamClone(project)
        let before = try team.audit()
        let refused = Self.refused(before.rules).keys.sorted()
        #expect(try team.ciOnEveryTag() == refused.map { "\($0) 1" }, "ci and audit disagree")

        let written = try team.run("audit", "--write-baseline")
        let baseline = before.document["acceptingBaseline"] as? String ?? "?"
        #expect(written.status == 0, "\(written.stdout)\(written.stderr)")
        #expect(written.stderr.contains("wrote release.baseline = \(baseline)") && written.stderr.contains("Commit it"))
        #expect(try team.git("config", "-f", ".release-guardian", "release.baseline") == baseline)
        let file = try String(contentsOfFile: team.work + "/.release-guardian", encoding: .utf8)
        #expect(file.hasPrefix(Self.policy), "the other keys and the comment stay: \(file)")
        #expect(written.stdout.contains("\(refused.count) history"))
        try team.commitPolicyFile()

        #expect(try team.ciOnEveryTag() == [])
        let after = try team.audit()
        #expect(after.result.status == 0)
        #expect(Self.refused(after.rules).isEmpty)
        for tag in refused { #expect(after.rules[tag]?.first == "history", "\(tag)") }
        let ci = try team.run("ci", "--ref", "refs/tags/\(refused[0])")
        #expect(ci.stdout.contains("is history (release.baseline = \(baseline)"), "\(ci.stdout)")
        #expect(ci.stdout.contains("verdict: allowed (history"))
        // In a pipeline (which reads the policy from origin's main, once pushed): the environment is
        // written as for any release, and --json says history.
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)
        let outputs = team.work + "/.github-output"
        let github = try team.scratch.run(
            binary, ["ci", "--json"], in: team.work,
            extraEnvironment: ["GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/tags/\(refused[0])", "GITHUB_OUTPUT": outputs])
        #expect(github.status == 0, "\(github.stdout)\(github.stderr)")
        let document = (try? JSONSerialization.jsonObject(with: Data(github.stdout.utf8))) as? [String: Any] ?? [:]
        #expect(document["history"] as? String == baseline && document["allowed"] as? Bool == true, "\(github.stdout)")
        #expect(document["environment"] as? String == "prod", "\(github.stdout)")
        #expect(try String(contentsOfFile: outputs, encoding: .utf8).contains("environment=prod\n"))
    }

    /// A new bad tag after the baseline is refused by the pre-push hook through a real `git
    /// push`, and by `ci` once it reached origin anyway: a skip above the baseline, and a tag
    /// below it that never existed. The history tags stay immutable and undeletable.
    @Test func afterTheBaselineANewBadTagIsRefusedAndHistoryStaysImmutable() throws {
        let team = try TeamClone(.releasePlease)
        #expect(try team.run("audit", "--write-baseline").status == 0)
        try team.commitPolicyFile()
        #expect(try team.run("install").status == 0)
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)

        for (tag, expected) in [("v17.13.0", "v17.12.0"), ("v17.4.3", "v17.4.2")] {
            _ = try team.scratch.commit("fix for \(tag)", in: team.work, file: "fix.txt")
            try team.git("tag", tag)  // lightweight, as release-please's
            let push = try team.scratch.run("/usr/bin/env", ["git", "push", "origin", "main", tag], in: team.work)
            #expect(push.status != 0, "\(tag) went through")
            #expect(push.stderr.contains("[tag-skip]") && push.stderr.contains(expected), "\(push.stderr)")
            // Pushed anyway, around the hook: ci in a fresh pipeline clone refuses it.
            let forced = try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "--no-verify", "origin", "main", tag], in: team.work)
            #expect(forced.status == 0, "\(forced.stderr)")
            let pipeline = team.scratch.root + "/pipeline-" + tag
            try team.scratch.git("clone", "-q", team.origin, pipeline, in: team.scratch.root)
            let ci = try team.run("ci", "--ref", "refs/tags/\(tag)", in: pipeline)
            #expect(ci.status == 1, "\(ci.stdout)\(ci.stderr)")
            #expect(ci.stdout.contains("[tag-skip]") && !ci.stdout.contains("history"), "\(ci.stdout)")
        }

        // The CI's own fix for an old tag (delete it and tag it again, annotated) stays refused.
        try team.git("tag", "-f", "-a", "v12.6.1", "-m", "Release v12.6.1", "v12.6.1")
        let moved = try team.scratch.run("/usr/bin/env", ["git", "push", "--force", "origin", "v12.6.1"], in: team.work)
        #expect(moved.status != 0)
        #expect(moved.stderr.contains("[tag-immutable]"), "\(moved.stderr)")
        let deleted = try team.scratch.run("/usr/bin/env", ["git", "push", "origin", ":refs/tags/v12.6.3"], in: team.work)
        #expect(deleted.status != 0)
        #expect(deleted.stderr.contains("[tag-delete]"), "\(deleted.stderr)")
    }

    /// `revert-to` and `deploy` to a history tag do not judge it again; before the baseline they
    /// refuse it as `ci` does.
    @Test func revertToAndDeployDoNotJudgeAHistoryTagAgain() throws {
        let team = try TeamClone(.releaseDrafter, policy: nil)
        let prod = team.scratch.root + "/prod.git"
        try team.scratch.deployRemote(at: prod, running: try team.git("rev-parse", "v5.12.0^{commit}"), from: team.work)
        try team.commitPolicy(Self.policy + "[environment \"prod\"]\n    target = \(prod) master\n")
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)
        let skipped = try team.git("rev-parse", "v5.11.0^{commit}")

        let refused = try team.run("revert-to", "v5.11.0", "--env", "prod", "--yes")
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("[tag-skip]"), "\(refused.stderr)")
        try team.scratch.git("update-ref", "refs/heads/master", try team.git("rev-parse", "v5.9.0^{commit}"), in: prod)
        let notDeployed = try team.run("deploy", "v5.11.0", "--yes")
        #expect(notDeployed.status == 1, "\(notDeployed.stdout)\(notDeployed.stderr)")
        #expect(notDeployed.stderr.contains("[tag-skip]"), "\(notDeployed.stderr)")

        #expect(try team.run("audit", "--write-baseline").status == 0)
        try team.commitPolicyFile()
        let deployed = try team.run("deploy", "v5.11.0", "--yes")
        #expect(deployed.status == 0, "\(deployed.stdout)\(deployed.stderr)")
        #expect(deployed.stderr.contains("v5.11.0 is history (release.baseline = v7.7.0)"), "\(deployed.stderr)")
        #expect(try team.scratch.git("rev-parse", "master", in: prod) == skipped)

        try team.scratch.git("update-ref", "refs/heads/master", try team.git("rev-parse", "v5.12.0^{commit}"), in: prod)
        let reverted = try team.run("revert-to", "v5.11.0", "--env", "prod", "--yes")
        #expect(reverted.status == 0, "\(reverted.stdout)\(reverted.stderr)")
        #expect(reverted.stderr.contains("v5.11.0 is history (release.baseline = v7.7.0)"), "\(reverted.stderr)")
        #expect(try team.scratch.git("rev-parse", "master", in: prod) == skipped)
    }

    // MARK: - The server's baseline

    /// On a server the baseline is the server's policy: one committed on main cannot excuse
    /// anything there, `--write-baseline` says how to set it, and the server's own applies.
    @Test func onAServerOnlyTheServersBaselineCounts() throws {
        let team = try TeamClone(.releasePlease, policy: Self.policy + "    baseline = v17.11.1\n")
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)

        let committedOnly = try team.run("audit", "--json", in: team.origin)
        #expect(committedOnly.status == 1, "the committed baseline excused history on the server: \(committedOnly.stdout)")
        let write = try team.run("audit", "--write-baseline", in: team.origin)
        #expect(write.status == 2)
        #expect(
            write.stderr.contains("bare repository") && write.stderr.contains("git config release-guardian.release.baseline v17.11.1"),
            "\(write.stderr)")

        try team.scratch.git("config", "release-guardian.release.baseline", "v17.11.1", in: team.origin)
        #expect(try team.run("audit", in: team.origin).status == 0)
        // A committed baseline below the server's tightens it: v12.6.3 is judged again.
        try team.commitPolicy(Self.policy + "    baseline = v12.6.2\n")
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)
        let tightened = try team.audit(in: team.origin)
        #expect(tightened.result.status == 1)
        #expect(Self.refused(tightened.rules) == ["v12.6.3": ["tag-on-main"]])
    }

    // MARK: - Component baselines

    /// gax-nodejs as its team configures it: two components (google-logging-utils stays
    /// unguarded) and the maintenance branches the team uses.
    static let gaxComponents =
        "[release]\n    maintenance = *.x\n    maintenance = release_*\n"
        + "[component \"google-gax\"]\n    prefix = google-gax-v\n[component \"gapic-tools\"]\n    prefix = gapic-tools-v\n"

    /// Each namespace has its own baseline: `audit` names the line each needs, `--write-baseline`
    /// writes them, `ci` then passes on every old tag, and a new bad component tag (a skip, and
    /// one below its baseline that never existed) is refused by the pre-push hook through a real
    /// `git push` and by `ci`.
    @Test func eachComponentHasItsOwnBaseline() throws {
        let team = try TeamClone(.gaxNodejs, policy: Self.gaxComponents)
        let before = try team.audit()
        #expect(before.result.status == 1, "\(before.result.stderr)")
        let refused = Self.refused(before.rules)
        #expect(
            refused == [
                "v1.15.2": ["tag-skip", "tag-on-main"],
                "v2.25.5-pre.0": ["tag-on-main"], "v2.25.5-pre.1": ["tag-on-main"], "v2.28.0-pre.0": ["tag-on-main"],
                "v2.28.0-pre.1": ["tag-order", "tag-on-main"], "v2.28.0-alpha.0": ["tag-order", "tag-on-main"],
                "v2.28.0-alpha.1": ["tag-order"], "v2.30.5": ["tag-on-main"], "v3.6.1": ["tag-on-main"],
                // After google-gax-v4.1.0 (v4.2.0 to v4.3.0 were tagged without the prefix); on no branch.
                "google-gax-v4.3.1": ["tag-skip"], "google-gax-v4.6.1": ["tag-on-main"],
            ])
        #expect(before.rules.keys.filter { $0.hasPrefix("gapic-tools-v") }.count == 13)
        let baselines = before.document["baselines"] as? [[String: Any]] ?? []
        #expect(
            baselines.map { $0["key"] as? String } == [
                "release.baseline", "component.google-gax.baseline", "component.gapic-tools.baseline",
            ])
        #expect(baselines.map { $0["accepting"] as? String } == ["v4.3.0", "google-gax-v5.0.4", "gapic-tools-v1.0.3"])
        // The line to add, for each namespace with a refused tag.
        #expect(
            baselines.map { $0["line"] as? String } == [
                "release.baseline = v4.3.0", "component.google-gax.baseline = google-gax-v5.0.4", nil,
            ])
        #expect(baselines.map { ($0["refused"] as? [String])?.count } == [9, 2, 0])
        let table = try team.run("audit")
        #expect(table.stdout.contains("    release.baseline = v4.3.0   (in .release-guardian, [release] section)"), "\(table.stdout)")
        #expect(
            table.stdout.contains(
                "    component.google-gax.baseline = google-gax-v5.0.4   (in .release-guardian, [component \"google-gax\"] section)"))
        #expect(!table.stdout.contains("component.gapic-tools.baseline"))
        #expect(try team.ciOnEveryTag() == refused.keys.sorted().map { "\($0) 1" }, "ci and audit disagree")

        // A plain baseline alone excuses no component tag, however late its tag was made.
        try team.commitPolicy(Self.gaxComponents + "[release]\n    baseline = v4.3.1\n")
        try team.git("tag", "v4.3.1")
        #expect(Self.refused(try team.audit().rules).keys.sorted() == ["google-gax-v4.3.1", "google-gax-v4.6.1"])
        #expect(try team.run("ci", "--ref", "refs/tags/google-gax-v4.6.1").status == 1)
        try team.git("tag", "-d", "v4.3.1")
        try team.commitPolicy(Self.gaxComponents)

        let written = try team.run("audit", "--write-baseline")
        #expect(written.status == 0, "\(written.stdout)\(written.stderr)")
        for line in [
            "release.baseline = v4.3.0", "component.google-gax.baseline = google-gax-v5.0.4",
            "component.gapic-tools.baseline = gapic-tools-v1.0.3",
        ] {
            #expect(written.stderr.contains("wrote \(line) to "), "\(line): \(written.stderr)")
        }
        #expect(try team.git("config", "-f", ".release-guardian", "component.google-gax.baseline") == "google-gax-v5.0.4")
        #expect(try team.git("config", "-f", ".release-guardian", "component.gapic-tools.baseline") == "gapic-tools-v1.0.3")
        #expect(try team.git("config", "-f", ".release-guardian", "release.baseline") == "v4.3.0")
        // Each in its own section, beside the prefix: no second [component "google-gax"].
        let file = try String(contentsOfFile: team.work + "/.release-guardian", encoding: .utf8)
        #expect(file.components(separatedBy: "[component \"google-gax\"]").count == 2, "\(file)")
        try team.commitPolicyFile()

        #expect(try team.ciOnEveryTag() == [])
        let after = try team.audit()
        #expect(after.result.status == 0, "\(after.result.stdout)")
        for tag in refused.keys { #expect(after.rules[tag]?.first == "history", "\(tag)") }
        let ci = try team.run("ci", "--ref", "refs/tags/google-gax-v4.3.1")
        #expect(ci.stdout.contains("is history (component.google-gax.baseline = google-gax-v5.0.4"), "\(ci.stdout)")

        #expect(try team.run("install").status == 0)
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)
        for (tag, expected) in [("google-gax-v5.0.6", "google-gax-v5.0.5"), ("google-gax-v4.3.11", "google-gax-v4.3.10")] {
            _ = try team.scratch.commit("fix for \(tag)", in: team.work, file: "fix.txt")
            try team.git("tag", tag)
            let push = try team.scratch.run("/usr/bin/env", ["git", "push", "origin", "main", tag], in: team.work)
            #expect(push.status != 0, "\(tag) went through")
            #expect(push.stderr.contains("[tag-skip]") && push.stderr.contains(expected), "\(push.stderr)")
            let forced = try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "--no-verify", "origin", "main", tag], in: team.work)
            #expect(forced.status == 0, "\(forced.stderr)")
            let pipeline = team.scratch.root + "/pipeline-" + tag
            try team.scratch.git("clone", "-q", team.origin, pipeline, in: team.scratch.root)
            let ci = try team.run("ci", "--ref", "refs/tags/\(tag)", in: pipeline)
            #expect(ci.status == 1, "\(ci.stdout)\(ci.stderr)")
            #expect(ci.stdout.contains("[tag-skip]") && !ci.stdout.contains("history"), "\(ci.stdout)")
        }
    }

    /// On a server a component's baseline is the server's policy too: a committed one excuses
    /// nothing there, and may only lower the server's.
    @Test func onAServerOnlyTheServersComponentBaselineCounts() throws {
        let policy = Self.gaxComponents + "[release]\n    baseline = v4.3.0\n"
        let team = try TeamClone(.gaxNodejs, policy: policy + "[component \"google-gax\"]\n    baseline = google-gax-v5.0.4\n")
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)
        try team.scratch.git("config", "release-guardian.release.baseline", "v4.3.0", in: team.origin)
        for glob in ["*.x", "release_*"] {
            try team.scratch.git("config", "--add", "release-guardian.release.maintenance", glob, in: team.origin)
        }
        try team.scratch.git("config", "release-guardian.component.google-gax.prefix", "google-gax-v", in: team.origin)

        let committedOnly = try team.audit(in: team.origin)
        #expect(
            Self.refused(committedOnly.rules).keys.sorted() == ["google-gax-v4.3.1", "google-gax-v4.6.1"], "\(committedOnly.result.stdout)")
        let table = try team.run("audit", in: team.origin)
        #expect(
            table.stdout.contains("    git config release-guardian.component.google-gax.baseline google-gax-v5.0.4   "), "\(table.stdout)")

        // The committed one (higher) does not raise the server's.
        try team.scratch.git("config", "release-guardian.component.google-gax.baseline", "google-gax-v4.4.0", in: team.origin)
        #expect(Self.refused(try team.audit(in: team.origin).rules) == ["google-gax-v4.6.1": ["tag-on-main"]])
        try team.scratch.git("config", "release-guardian.component.google-gax.baseline", "google-gax-v5.0.4", in: team.origin)
        #expect(try team.audit(in: team.origin).result.status == 0)
        // A committed one below the server's tightens it: google-gax-v4.6.1 is judged again.
        try team.commitPolicy(policy + "[component \"google-gax\"]\n    baseline = google-gax-v4.4.0\n")
        #expect(try team.scratch.run("/usr/bin/env", ["git", "push", "-q", "origin", "main"], in: team.work).status == 0)
        #expect(Self.refused(try team.audit(in: team.origin).rules) == ["google-gax-v4.6.1": ["tag-on-main"]])
    }

    // MARK: - Bad input

    @Test func aBaselineThatIsNotAReleaseTagOrNamesNoTagIsAClearError() throws {
        let team = try TeamClone(.releaseDrafter)
        try team.commitPolicy(Self.policy + "    baseline = 7.7\n")
        let malformed = try team.run("audit")
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("release.baseline = '7.7'") && malformed.stderr.contains("a release tag name such as v1.4.2"))
        let ci = try team.run("ci", "--ref", "refs/tags/v5.11.0")
        #expect(ci.status == 2, "\(ci.stdout)\(ci.stderr)")

        try team.commitPolicy(Self.policy + "    baseline = v7.6.5\n")
        let missing = try team.run("audit")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("release.baseline = v7.6.5") && missing.stderr.contains("names no tag"), "\(missing.stderr)")
        #expect(try team.run("ci", "--ref", "refs/tags/v5.11.0").status == 2)
        // Above the baseline, ci needs no baseline tag.
        #expect(try team.run("ci", "--ref", "refs/tags/v7.7.0").status == 0)
    }

    @Test func refusesAShallowCloneAndWhatIsNoRepository() throws {
        let team = try TeamClone(.releaseDrafter)
        let shallow = team.scratch.root + "/shallow"
        try team.scratch.git("clone", "-q", "--depth", "1", "file://" + team.origin, shallow, in: team.scratch.root)
        let result = try team.run("audit", in: shallow)
        #expect(result.status == 2)
        #expect(result.stderr.contains("shallow") && result.stderr.contains("git fetch --unshallow"), "\(result.stderr)")
        let nowhere = try team.run("audit", in: team.scratch.root + "/home")
        #expect(nowhere.status == 2)
        #expect(nowhere.stderr.contains("not a git repository"), "\(nowhere.stderr)")
    }
}

/// `install --server` says at once when the policy's baseline names no tag of the repository.
struct ServerBaselineInstallTests {
    @Test func warnsOfABaselineThatNamesNoTag() throws {
        let scratch = try Scratch()
        let server = scratch.root + "/srv.git"
        try scratch.git("init", "-q", "--bare", server, in: scratch.root)
        try scratch.write("[release]\n    baseline = v9.9.9\n", to: scratch.root + "/policy")
        let install = try scratch.run(
            binary, ["install", "--server", "--repo", server, "--policy", scratch.root + "/policy"], in: scratch.root)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stderr.contains("warning: release.baseline = v9.9.9 names no tag of this repository"), "\(install.stderr)")
    }
}
