import Foundation
import TestSupport
import Testing

/// `revert-to` against deploy remotes served on loopback by the tests.
struct RevertToTests {
    @Test func dryRunShowsThePlanAndChangesNothing() throws {
        let f = try DeployFixture()
        let before = try f.everything()
        let result = try f.revert("v1.0.0", "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\(f.v110.prefix(7)) (v1.1.0) → \(f.v100.prefix(7)) (v1.0.0)"))
        #expect(result.stdout.contains("the feature that breaks prod"))
        #expect(result.stdout.contains("Dry run: nothing was changed."))
        #expect(try f.everything() == before)
    }

    @Test func rollsBackKeepingWhatItOverwrites() throws {
        let f = try DeployFixture()
        let report = f.scratch.root + "/report.md"
        let result = try f.revert("v1.0.0", "--yes", "--reason", "checkout is broken", "--report", report)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try f.head() == f.v100)
        #expect(try f.clone.git("rev-parse", "release/v1.0.0") == f.v100)
        let backups = try f.backups()
        #expect(backups.count == 1)
        #expect(backups.first?.hasSuffix(" " + f.v110) == true)
        #expect(backups.first?.hasPrefix("refs/release-guardian/backup/prod/") == true)
        // Each step said what it did, and the working tree and HEAD were left alone.
        for step in 1...9 { #expect(result.stderr.contains("\(step). "), "step \(step) silent") }
        #expect(try f.clone.git("symbolic-ref", "HEAD") == "refs/heads/main")
        #expect(try f.clone.git("rev-parse", "HEAD") == f.v110)
        // The report: who, why, old → new, what went away, the backup and the undo command.
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(result.stdout.contains(markdown))
        for expected in [
            "# Rollback report: prod → v1.0.0", "checkout is broken", "(v1.1.0)", "the feature that breaks prod",
            "refs/release-guardian/backup/prod/", "git push --force-with-lease=refs/heads/master:\(f.v100)",
        ] {
            #expect(markdown.contains(expected), "report lacks \(expected)")
        }
        #expect(try f.scratch.git("for-each-ref", "refs/release-guardian/ledger", in: f.clone.origin).isEmpty == false)

        // The undo command of the report works.
        let undo = markdown.split(separator: "\n").filter { $0.hasPrefix("git ") }
        for line in undo {
            let run = try f.scratch.run("/bin/sh", ["-c", String(line)], in: f.work)
            #expect(run.status == 0, "\(line): \(run.stderr)")
        }
        #expect(try f.head() == f.v110)
    }

    @Test func fetchesWhatChangedOnOriginWithTagsAndPrunes() throws {
        let f = try DeployFixture()
        _ = try f.clone.git("push", "-q", "origin", "main:gone")
        _ = try f.clone.git("fetch", "-q", "origin")
        // A colleague releases a hotfix tag and deletes a branch on origin.
        let colleague = f.scratch.root + "/colleague"
        try f.scratch.git("clone", "-q", f.clone.origin, colleague, in: f.scratch.root)
        try f.scratch.tag("v1.0.1", in: colleague, at: "v1.0.0")
        try f.scratch.git("push", "-q", "origin", "v1.0.1", ":gone", in: colleague)
        let result = try f.revert("v1.0.1", "--dry-run", "--allow-divergent")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 ref changed, 1 pruned"))
        #expect(try f.clone.git("rev-parse", "v1.0.1^{commit}") == f.v100)
        #expect(try f.scratch.tryGit("rev-parse", "-q", "--verify", "refs/remotes/origin/gone", in: f.work).status == 1, "not pruned")
    }

    @Test func printsOneJSONDocument() throws {
        let f = try DeployFixture()
        let plan = try f.revert("v1.0.0", "--dry-run", "--json")
        #expect(plan.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        #expect(json?["dryRun"] as? Bool == true)
        #expect(json?["commit"] as? String == f.v100)
        let targets = json?["targets"] as? [[String: Any]]
        #expect(targets?.first?["before"] as? String == f.v110)
        #expect(targets?.first?["result"] as? String == "planned")
        let done = try f.revert("v1.0.0", "--yes", "--json")
        let result = try JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any]
        #expect((result?["targets"] as? [[String: Any]])?.first?["result"] as? String == "pushed")
        #expect((result?["backups"] as? [[String: Any]])?.count == 1)
        #expect((result?["report"] as? String)?.contains("# Rollback report") == true)
    }

    @Test func jumpsToAnotherHistoryOnlyWhenAllowed() throws {
        let f = try DeployFixture()
        _ = try f.clone.git("checkout", "-q", "-b", "release/v1.0", "v1.0.0")
        _ = try f.clone.commit("hotfix")
        try f.clone.tag("v1.0.1")
        _ = try f.clone.git("checkout", "-q", "main")
        #expect(try f.clone.push("-q", "origin", "release/v1.0", "v1.0.1").status == 0)
        let divergent = try f.revert("v1.0.1", "--yes")
        #expect(divergent.status == 1)
        #expect(divergent.stderr.contains("not an ancestor"), "refused for another reason: \(divergent.stderr)")
        let allowed = try f.revert("v1.0.1", "--yes", "--allow-divergent")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try f.head() == f.clone.git("rev-parse", "v1.0.1^{commit}"))
    }

    @Test func aSecondIdenticalRunIsANoOp() throws {
        let f = try DeployFixture()
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        let after = try f.everything()
        let again = try f.revert("v1.0.0", "--yes")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already runs v1.0.0"))
        #expect(try f.everything() == after)
    }

    @Test func keepsAHeadThatOnlyEverExistedOnProd() throws {
        let f = try DeployFixture()
        // A hotfix pushed straight to prod, never to origin.
        let hotfix = f.scratch.root + "/hotfix"
        try f.scratch.git("clone", "-q", f.daemon.url("prod.git"), hotfix, in: f.scratch.root)
        let onlyOnProd = try f.scratch.commit("hotfix made on prod only", in: hotfix)
        try f.scratch.git("push", "-q", "origin", "master", in: hotfix)
        #expect(try f.scratch.tryGit("cat-file", "-e", onlyOnProd, in: f.clone.origin).status == 1, "origin has it already")
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("hotfix made on prod only"))
        #expect(try f.head() == f.v100)
        #expect(try f.backups().first?.hasSuffix(" " + onlyOnProd) == true)
        #expect(try f.scratch.git("cat-file", "-t", onlyOnProd, in: f.clone.origin) == "commit")
    }

    @Test func goesBackToThePreviousRelease() throws {
        let f = try DeployFixture()
        let result = try f.revert("previous", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try f.head() == f.v100)
    }

    /// Each refusal exits 1 and changes nothing.
    @Test func refusesWithoutChangingAnything() throws {
        let f = try DeployFixture()
        try f.clone.tag("nightly", annotated: false)
        try f.clone.tag("v1.2.0-rc.1")
        _ = try f.clone.git("checkout", "-q", "-b", "elsewhere", "v1.0.0")
        _ = try f.clone.commit("another history")
        try f.clone.tag("v1.0.1")
        _ = try f.clone.git("checkout", "-q", "main")
        _ = try f.clone.push("-q", "--no-verify", "origin", "nightly", "v1.2.0-rc.1", "v1.0.1")
        let before = try f.everything()
        let cases: [([String], String)] = [
            (["v0.9.9", "--yes"], "Nearest release tags: v1.0.1, v1.0.0"),
            (["nightly", "--yes"], "not a release tag"),
            (["v1.2.0-rc.1", "--yes"], "pre-release"),
            (["v1.0.1", "--yes"], "not an ancestor"),
            (["v1.0.0", "--yes", "--expect", String(repeating: "a", count: 40)], "--expect"),
            (["v1.0.0"], "pass --yes"),  // no terminal
            (["v1.0.0", "--yes", "--env", "staging"], "no environment named staging"),
        ]
        for (arguments, message) in cases {
            let result = try f.scratch.run(binary, ["revert-to"] + arguments, in: f.work)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let unknown = try f.revert("v0.9.9", "--yes")
        #expect(unknown.stderr.contains("Deployed now: v1.1.0"))
        #expect(try f.everything() == before)
    }

    @Test func refusesATagTheRulesRefuse() throws {
        let f = try DeployFixture()
        // A lightweight release tag that reached origin with --no-verify, where tags are annotated.
        _ = try f.clone.git("config", "release-guardian.release.requireAnnotated", "true")
        _ = try f.clone.git("tag", "-d", "v1.0.0")
        try f.clone.tag("v1.0.0", at: f.v100, annotated: false)
        _ = try f.clone.push("-q", "--no-verify", "--force", "origin", "v1.0.0")
        let before = try f.everything()
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 1)
        #expect(result.stderr.contains("[tag-annotated]"))
        #expect(try f.everything() == before)
    }

    @Test func refusesAShallowRepository() throws {
        let f = try DeployFixture()
        let shallow = f.scratch.root + "/shallow"
        try f.scratch.git("clone", "-q", "--depth", "1", "file://" + f.clone.origin, shallow, in: f.scratch.root)
        try FileManager.default.copyItem(atPath: f.work + "/.release-guardian", toPath: shallow + "/.release-guardian")
        let before = try f.everything()
        let result = try f.scratch.run(binary, ["revert-to", "v1.0.0", "--yes"], in: shallow)
        #expect(result.status == 1)
        #expect(result.stderr.contains("git fetch --unshallow"))
        #expect(try f.everything() == before)
    }

    @Test func refusesWhenProdMovesWhileThePromptWaits() throws {
        let f = try DeployFixture()
        let terminal = try PseudoTerminalProcess(binary, ["revert-to", "v1.0.0"], in: f.work, environment: f.scratch.environment)
        let prompt = terminal.read(until: "to go ahead:")
        #expect(prompt.contains("to go ahead:"), "no prompt: \(prompt)")
        // Someone deploys meanwhile.
        let other = f.scratch.root + "/colleague"
        try f.scratch.git("clone", "-q", f.daemon.url("prod.git"), other, in: f.scratch.root)
        let theirs = try f.scratch.commit("a colleague's deploy", in: other)
        try f.scratch.git("push", "-q", "origin", "master", in: other)
        terminal.type("prod\n")
        let status = terminal.wait()
        #expect(status == 1, "\(terminal.output)")
        #expect(terminal.output.contains("moved"))
        #expect(try f.head() == theirs)
        #expect(try f.backups().isEmpty)
    }

    @Test func confirmsOnATerminalByTypingTheEnvironment() throws {
        let f = try DeployFixture()
        let wrong = try PseudoTerminalProcess(binary, ["revert-to", "v1.0.0"], in: f.work, environment: f.scratch.environment)
        wrong.read(until: "to go ahead:")
        wrong.type("yes\n")
        #expect(wrong.wait() == 1)
        #expect(wrong.output.contains("not confirmed"), "refused for another reason: \(wrong.output)")
        #expect(try f.head() == f.v110)
        let right = try PseudoTerminalProcess(binary, ["revert-to", "v1.0.0"], in: f.work, environment: f.scratch.environment)
        right.read(until: "to go ahead:")
        right.type("prod\n")
        #expect(right.wait() == 0, "\(right.output)")
        #expect(try f.head() == f.v100)
    }

    @Test func stopsAtAFailingTargetAndARerunFinishesTheJob() throws {
        let f = try DeployFixture()
        // Two targets (as the seed's airflow scheduler and webserver); the second refuses pushes.
        try f.makeDeployRemote("webserver.git", running: f.v110)
        try f.configure(targets: [f.daemon.url("prod.git") + " master", f.daemon.url("webserver.git") + " master"])
        let hook = f.daemon.basePath + "/webserver.git/hooks/pre-receive"
        try f.scratch.write("#!/bin/sh\necho 'maintenance: try again later' >&2\nexit 1\n", to: hook)
        _ = try f.scratch.run("/bin/chmod", ["+x", hook], in: f.scratch.root)
        let first = try f.revert("v1.0.0", "--yes")
        #expect(first.status == 2)
        #expect(first.stderr.contains("Already changed: \(f.daemon.url("prod.git")) master"))
        #expect(first.stderr.contains("Run the same command again"))
        #expect(try f.head() == f.v100)
        #expect(try f.head("webserver.git") == f.v110)

        try FileManager.default.removeItem(atPath: hook)
        let second = try f.revert("v1.0.0", "--yes")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("already runs v1.0.0: nothing to push"))
        #expect(try f.head("webserver.git") == f.v100)
    }

    @Test func refusesToPlanWhenATargetIsDownAndCompletesOnceItIsUp() throws {
        let f = try DeployFixture()
        let down = try freeLoopbackPort()
        try f.configure(targets: [f.daemon.url("prod.git") + " master", "git://127.0.0.1:\(down)/prod.git master"])
        let before = try f.everything()
        let failed = try f.revert("v1.0.0", "--yes")
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("127.0.0.1:\(down)"))
        #expect(failed.stderr.contains("No target was changed"))
        #expect(try f.everything() == before)
        // The second server comes up: the same command completes.
        try f.makeDeployRemote("second.git", running: f.v110)
        try f.configure(targets: [f.daemon.url("prod.git") + " master", f.daemon.url("second.git") + " master"])
        #expect(try f.revert("v1.0.0", "--yes").status == 0)
        #expect(try f.head("second.git") == f.v100)
    }
}
