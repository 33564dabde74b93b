import Foundation
import TestSupport
import Testing

/// `deploy`: forward to the environment the map names, with revert-to's safeguards, against
/// deploy remotes served by `git daemon` on loopback.
struct DeployTests {
    /// The DeployFixture's clone with a preprod environment of two targets (scheduler and
    /// webserver, as in the airflow runbook) running v1.0.0, and prod running v1.1.0.
    final class Preprod {
        let f: DeployFixture
        var scratch: Scratch { f.scratch }

        init() throws {
            f = try DeployFixture()
            try f.makeDeployRemote("scheduler.git", running: f.v100)
            try f.makeDeployRemote("webserver.git", running: f.v100)
            try scratch.write(
                """
                [environment "preprod"]
                    target = \(f.daemon.url("scheduler.git")) master
                    target = \(f.daemon.url("webserver.git")) master
                [environment "prod"]
                    target = \(f.daemon.url("prod.git")) master
                """, to: f.work + "/.release-guardian")
        }

        func deploy(_ arguments: String..., environment: [String: String] = [:]) throws -> ProcessResult {
            try scratch.run(binary, ["deploy"] + arguments, in: f.work, extraEnvironment: environment)
        }

        func heads() throws -> [String] {
            try ["scheduler.git", "webserver.git"].map { try f.head($0) }
        }

        /// The records on origin's ledger, oldest first.
        func records() throws -> [[String: Any]] {
            LedgerTests.deployments(try LedgerTests.records(in: f.clone.origin, scratch: scratch))
        }
    }

    @Test func deploysMainToBothPreprodTargetsAndRecordsIt() throws {
        let p = try Preprod()
        let before = try p.f.everything()
        let dry = try p.deploy("main", "--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Deployment plan: preprod → main@\(p.f.v110.prefix(7))"), "\(dry.stdout)")
        #expect(dry.stdout.contains("deploys 1 commit:") && dry.stdout.contains("the feature that breaks prod"), "\(dry.stdout)")
        #expect(try p.f.everything() == before, "a dry run changed something")

        let report = p.scratch.root + "/deploy.md"
        let done = try p.deploy("main", "--yes", "--reason", "weekly release", "--report", report)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try p.heads() == [p.f.v110, p.f.v110])
        // Forward: what ran is in main's history, so nothing needed a backup.
        #expect(try p.f.backups().isEmpty)
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        for expected in [
            "# Deployment report: preprod → main@", "weekly release", "## Commits put live in preprod",
            "release-guardian undo --env preprod",
        ] {
            #expect(markdown.contains(expected), "report lacks \(expected): \(markdown)")
        }
        let record = try #require(try p.records().last)
        #expect(record["action"] as? String == "deploy")
        #expect(record["ref"] as? String == "refs/heads/main")
        #expect(record["environment"] as? String == "preprod")
        #expect(record["commit"] as? String == p.f.v110)
        #expect(record["outcome"] as? String == "done")
        #expect((record["targets"] as? [[String: Any]])?.map { $0["result"] as? String } == ["pushed", "pushed"])

        // Again: nothing to do, nothing recorded.
        let again = try p.deploy("main", "--yes")
        #expect(again.status == 0 && again.stderr.contains("nothing to do"), "\(again.stderr)")
        #expect(try p.records().count == 1)

        // history and status read it.
        let history = try p.scratch.run(binary, ["history", "--env", "preprod"], in: p.f.work)
        #expect(history.stdout.contains("deploy"), "\(history.stdout)")
        let status = try p.scratch.run(binary, ["status", "--env", "preprod", "--check"], in: p.f.work)
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
    }

    @Test func withoutARefItDeploysTheCIsRefAndCommitElseTheCurrentBranch() throws {
        let p = try Preprod()
        // The current branch: main, to preprod.
        let here = try p.deploy("--dry-run")
        #expect(here.status == 0 && here.stdout.contains("Deployment plan: preprod"), "\(here.stdout)\(here.stderr)")
        // In a pipeline the policy is main's, never the checkout's (the ref being deployed): the
        // targets are read from .release-guardian as committed on origin's main.
        let uncommitted = try p.deploy("--dry-run", environment: ["GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main"])
        #expect(
            uncommitted.status != 0 && uncommitted.stderr.contains("preprod has no deploy target"),
            "\(uncommitted.stdout)\(uncommitted.stderr)")
        _ = try p.f.clone.git("add", ".release-guardian")
        _ = try p.f.clone.git("commit", "-q", "-m", "deploy targets")
        _ = try p.f.clone.git("push", "-q", "origin", "main")
        // A tag pipeline on GitHub Actions: the tag, to prod; it is v1.1.0, which prod runs already.
        let github = ["GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/tags/v1.1.0", "GITHUB_SHA": p.f.v110]
        let tag = try p.deploy("--yes", environment: github)
        #expect(tag.status == 0 && tag.stderr.contains("Every target already runs v1.1.0"), "\(tag.stdout)\(tag.stderr)")
        // A main pipeline: main, to preprod, recorded as the person who started it.
        let summary = p.scratch.root + "/summary.md"
        try p.scratch.write("# earlier step\n", to: summary)
        let main = [
            "GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_SHA": p.f.v110, "GITHUB_ACTOR": "alice",
            "GITHUB_STEP_SUMMARY": summary,
        ]
        let pipeline = try p.deploy("--yes", environment: main)
        #expect(pipeline.status == 0, "\(pipeline.stderr)")
        let page = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(page.hasPrefix("# earlier step\n# Deployment report: preprod → main@"), "\(page)")
        #expect(try p.heads() == [p.f.v110, p.f.v110])
        #expect(try p.records().last?["who"] as? String == "alice via GitHub Actions")
        // A pipeline that built another commit than its tag's: refused.
        let other = try p.deploy("--dry-run", environment: github.merging(["GITHUB_SHA": p.f.v100]) { $1 })
        #expect(other.status == 1 && other.stderr.contains("not in the history"), "\(other.stderr)")
    }

    @Test func refusesARollbackAndRefsThatDeployNowhere() throws {
        let p = try Preprod()
        #expect(try p.deploy("main", "--yes").status == 0)
        let recorded = try p.records().count

        // v1.0.0 is behind what preprod runs: that is revert-to's job.
        let back = try p.deploy("v1.0.0", "--env", "prod", "--yes")
        #expect(back.status == 1, "\(back.stderr)")
        #expect(back.stderr.contains("that is a rollback: use revert-to"), "\(back.stderr)")
        #expect(back.stderr.contains("release-guardian revert-to v1.0.0 --env prod"), "\(back.stderr)")

        // A feature branch deploys nowhere: exit 2, with the map.
        _ = try p.f.clone.git("checkout", "-q", "-b", "feature")
        _ = try p.f.clone.commit("work in progress")
        _ = try p.f.clone.git("push", "-q", "origin", "feature")
        let nowhere = try p.deploy("feature", "--yes")
        #expect(nowhere.status == 2, "\(nowhere.stderr)")
        #expect(nowhere.stderr.contains("deploys nowhere") && nowhere.stderr.contains("preprod ← refs/heads/main"), "\(nowhere.stderr)")
        // main is preprod's: --env prod does not send it elsewhere.
        let elsewhere = try p.deploy("main", "--env", "prod", "--yes")
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("does not deploy to prod"), "\(elsewhere.stderr)")
        let unknown = try p.deploy("main", "--env", "staging", "--yes")
        #expect(unknown.status == 1 && unknown.stderr.contains("no environment named staging"), "\(unknown.stderr)")
        let missing = try p.deploy("no-such-ref", "--yes")
        #expect(missing.status == 2, "\(missing.stderr)")
        let badExpect = try p.deploy("main", "--expect", "12345", "--yes")
        #expect(badExpect.status == 64, "\(badExpect.stderr)")
        let json = try p.deploy("feature", "--json", "--yes")
        #expect(json.status == 2 && json.stdout.contains("\"exitCode\":2"), "\(json.stdout)")
        // Refusals change nothing and are not recorded.
        #expect(try p.heads() == [p.f.v110, p.f.v110])
        #expect(try p.f.head() == p.f.v110)
        #expect(try p.records().count == recorded)
        #expect(try p.f.backups().isEmpty)
    }

    @Test func keepsAHandPushedHeadBeforeOverwritingIt() throws {
        let p = try Preprod()
        // Someone pushed a feature to the webserver by hand: not in main's history.
        _ = try p.f.clone.git("checkout", "-q", "-b", "hotfix", p.f.v100)
        let hotfix = try p.f.clone.commit("hand-made hotfix")
        _ = try p.f.clone.git("push", "-q", p.f.daemon.url("webserver.git"), "hotfix:master")
        _ = try p.f.clone.git("checkout", "-q", "main")
        let done = try p.deploy("main", "--yes", "--json")
        #expect(done.status == 0, "\(done.stderr)")
        let backups = try p.f.backups()
        #expect(backups.count == 1 && backups.first?.hasSuffix(" " + hotfix) == true, "\(backups)")
        let document = try JSONSerialization.jsonObject(with: Data(done.stdout.utf8)) as? [String: Any]
        #expect(document?["action"] as? String == "deploy")
        #expect((document?["backups"] as? [[String: Any]])?.first?["commit"] as? String == hotfix)
        #expect(try p.heads() == [p.f.v110, p.f.v110])
    }

    @Test func deploysWhatOriginHasNotUnpushedLocalCommits() throws {
        let p = try Preprod()
        let unpushed = try p.f.clone.commit("not pushed yet")
        let result = try p.deploy("main", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("differs from origin's"), "\(result.stderr)")
        #expect(try p.heads() == [p.f.v110, p.f.v110], "deployed \(unpushed), which origin does not have")
        // A branch only this clone has cannot be deployed.
        _ = try p.f.clone.git("branch", "local-only")
        try p.scratch.write(
            "[environment \"preprod\"]\n    ref = refs/heads/local-only\n    target = \(p.f.daemon.url("scheduler.git")) master\n",
            to: p.f.work + "/.release-guardian")
        let local = try p.deploy("local-only", "--yes")
        #expect(local.status == 2 && local.stderr.contains("is not on origin"), "\(local.stderr)")
    }

    @Test func aTargetThatRefusesFailsSaysWhyAndARerunFinishes() throws {
        let p = try Preprod()
        let hook = p.f.daemon.basePath + "/webserver.git/hooks/pre-receive"
        try LedgerTests.install("#!/bin/sh\necho ' !     No space left on the builder' >&2\nexit 1\n", as: hook, scratch: p.scratch)
        let report = p.scratch.root + "/failed.md"
        let failed = try p.deploy("main", "--yes", "--report", report)
        #expect(failed.status == 2, "\(failed.stderr)")
        // The report says it failed, where, and what the target said.
        let markdown = try String(contentsOfFile: report, encoding: .utf8)
        #expect(markdown.contains("# Deployment report: preprod → main@") && markdown.contains(": FAILED"), "\(markdown)")
        #expect(markdown.contains("| failed |") && markdown.contains("| pushed |"), "\(markdown)")
        #expect(markdown.contains("No space left on the builder"), "\(markdown)")
        #expect(failed.stderr.contains("No space left on the builder"), "\(failed.stderr)")
        #expect(failed.stderr.contains("Already changed:"), "\(failed.stderr)")
        #expect(try p.heads() == [p.f.v110, p.f.v100])
        #expect(try p.records().last?["outcome"] as? String == "failed")

        try FileManager.default.removeItem(atPath: hook)
        let rerun = try p.deploy("main", "--yes")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try p.heads() == [p.f.v110, p.f.v110])
        #expect(try p.records().last?["outcome"] as? String == "done")
    }

    @Test func theRulesJudgeTheRefAsCIDoes() throws {
        let p = try Preprod()
        // A tag off main, pushed past the hooks: tag-on-main refuses it.
        _ = try p.f.clone.git("checkout", "-q", "-b", "side", p.f.v110)
        _ = try p.f.clone.commit("side work")
        try p.f.clone.tag("v1.2.0")
        _ = try p.f.clone.git("push", "-q", "--no-verify", "origin", "side", "v1.2.0")
        let refused = try p.deploy("v1.2.0", "--yes")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("tag-on-main"), "\(refused.stderr)")
        #expect(try p.f.head() == p.f.v110)
    }
}

/// What a careless operator or a hostile ledger can feed `deploy` and `undo`.
struct DeployInputTests {
    @Test func anEnvironmentNameThatCannotBeARefIsAConfigurationErrorBeforeAnything() throws {
        let p = try DeployTests.Preprod()
        for name in ["pre prod", "a..b", "x/y", "bad~name"] {
            try p.scratch.write(
                "[environment \"\(name)\"]\n    ref = refs/heads/main\n    target = \(p.f.daemon.url("scheduler.git")) master\n",
                to: p.f.work + "/.release-guardian")
            let result = try p.deploy("main", "--yes")
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("environment name"), "\(name): \(result.stderr)")
            #expect(try p.f.head("scheduler.git") == p.f.v100)
        }
        #expect(try p.scratch.git("for-each-ref", "refs/release-guardian", in: p.f.clone.origin).isEmpty, "something was recorded")
    }

    @Test func jsonIsADocumentOnARefusalOrAFailureToo() throws {
        let p = try DeployTests.Preprod()
        let nowhere = try p.deploy("v1.0.0", "--env", "preprod", "--json", "--yes")
        #expect(nowhere.status == 2, "\(nowhere.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(nowhere.stdout.utf8)) as? [String: Any]
        #expect(document?["refused"] as? Bool == false)
        #expect(document?["exitCode"] as? Int == 2)
        #expect((document?["error"] as? String)?.contains("does not deploy to preprod") == true, "\(nowhere.stdout)")
        let expect = try p.deploy("main", "--json", "--yes", "--expect", String(repeating: "0", count: 40))
        #expect(expect.status == 1)
        let refused = try JSONSerialization.jsonObject(with: Data(expect.stdout.utf8)) as? [String: Any]
        #expect(refused?["refused"] as? Bool == true, "\(expect.stdout)")
    }

    /// Anyone who can push writes the ledger: its text reaches the terminal without escape
    /// sequences.
    @Test func theLedgerCannotDriveTheTerminal() throws {
        let p = try DeployTests.Preprod()
        let reason = "ok\u{1B}]0;pwned\u{07}\u{1B}[2J\u{9B}31m"
        #expect(try p.deploy("main", "--yes", "--reason", reason).status == 0)
        let history = try p.scratch.run(binary, ["history"], in: p.f.work)
        #expect(history.status == 0)
        #expect(!history.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(history.stdout)")
        #expect(history.stdout.contains("ok?]0;pwned??[2J?31m"), "\(history.stdout)")
        let json = try p.scratch.run(binary, ["history", "--json"], in: p.f.work)
        let records = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(records?.first?["reason"] as? String == reason, "JSON keeps the text as written")
    }
}

/// A release goes to an environment as origin has it: never a tag only this clone has, never
/// this clone's copy of a tag someone moved on origin.
struct DeployTagOnOriginTests {
    @Test func aLocalOnlyTagIsRefusedAndAMovedTagIsDeployedAsOriginHasIt() throws {
        let p = try DeployTests.Preprod()
        let c3 = try p.f.clone.commit("three")
        let c4 = try p.f.clone.commit("four")
        _ = try p.f.clone.git("push", "-q", "origin", "main")
        // A colleague tags v1.2.0 at c3 on origin; this clone has its own v1.2.0 at c4.
        let colleague = p.scratch.root + "/colleague"
        try p.scratch.git("clone", "-q", "--no-local", p.f.clone.origin, colleague, in: p.scratch.root)
        try p.scratch.git("tag", "-a", "v1.2.0", "-m", "v1.2.0", c3, in: colleague)
        try p.scratch.git("push", "-q", "origin", "v1.2.0", in: colleague)
        _ = try p.f.clone.git("tag", "-a", "v1.2.0", "-m", "mine", c4)
        let moved = try p.deploy("v1.2.0", "--yes")
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stderr.contains("v1.2.0 moved on origin"), "\(moved.stderr)")
        #expect(try p.f.head() == c3, "deployed this clone's v1.2.0, not origin's")

        // A tag never pushed: refused, nothing changed.
        _ = try p.f.clone.git("tag", "-a", "v1.3.0", "-m", "local only", c4)
        let local = try p.deploy("v1.3.0", "--yes")
        #expect(local.status == 2, "\(local.stderr)")
        #expect(local.stderr.contains("v1.3.0 is not on origin"), "\(local.stderr)")
        #expect(try p.f.head() == c3)
        let revert = try p.f.revert("v1.3.0", "--yes", "--allow-divergent")
        #expect(revert.status == 2 && revert.stderr.contains("v1.3.0 is not on origin"), "\(revert.stderr)")
    }
}

/// How a ref is named on the command line: `origin/main`, or a branch only origin has (a
/// pipeline's clone, detached, with no local branch).
struct DeployRefNamingTests {
    @Test func originsBranchByEitherName() throws {
        let p = try DeployTests.Preprod()
        let tracking = try p.deploy("origin/main", "--dry-run")
        #expect(
            tracking.status == 0 && tracking.stdout.contains("Deployment plan: preprod → main@"), "\(tracking.stdout)\(tracking.stderr)")
        _ = try p.f.clone.git("checkout", "-q", "--detach")
        _ = try p.f.clone.git("branch", "-D", "main")
        let onlyOrigin = try p.deploy("main", "--dry-run")
        #expect(
            onlyOrigin.status == 0 && onlyOrigin.stdout.contains("Deployment plan: preprod → main@"),
            "\(onlyOrigin.stdout)\(onlyOrigin.stderr)")
    }
}
