import Foundation
import TestSupport
import Testing

/// The server hook as a pusher who tries to walk around it would: policy from pushed refs,
/// throwaway maintenance branches, a race between two pushes. Every attempt is a real `git push`
/// to a bare origin where `install --server` ran; the clone has no hook of its own.
struct ServerTrustTests {
    func commitPolicy(_ text: String, in clone: GuardedClone, message: String = "policy") throws {
        try clone.scratch.write(text, to: clone.work + "/.release-guardian")
        _ = try clone.git("add", ".release-guardian")
        _ = try clone.git("commit", "-q", "-m", message)
    }

    // MARK: 1–2. Policy comes from the server's owner, never from a pushed ref

    @Test func aPolicyPushedOnMainCannotMoveMainElsewhere() throws {
        let clone = try GuardedClone(hook: .server())
        try commitPolicy("[release]\n    main = refs/heads/decoy\n", in: clone)
        #expect(try clone.push("-q", "origin", "main").status == 0)  // a plain fast-forward
        let before = try clone.originRefs()
        _ = try clone.git("checkout", "-q", "--orphan", "unrelated")
        _ = try clone.commit("unrelated history")
        let rewrite = try clone.push("--force", "origin", "unrelated:main")
        #expect(rewrite.status != 0, "main was rewritten")
        #expect(rewrite.stderr.contains("[main-force]"), "\(rewrite.stderr)")
        #expect(try clone.originRefs() == before)
    }

    @Test func aBranchNamedByHeadCannotLoosenThePolicy() throws {
        // HEAD on master (as `git init --bare` without -b leaves it), a branch this team does not use.
        let clone = try GuardedClone(hook: .none, originHead: "master")
        let (scratch, origin, work) = (clone.scratch, clone.origin, clone.work)
        #expect(try scratch.git("symbolic-ref", "HEAD", in: origin) == "refs/heads/master")
        #expect(try scratch.run(binary, ["install", "--server", "--repo", origin], in: scratch.root).status == 0)

        try scratch.git("checkout", "-q", "-b", "master", in: work)
        try scratch.write("[release]\n    allowSkip = true\n", to: work + "/.release-guardian")
        try scratch.git("add", ".release-guardian", in: work)
        try scratch.git("commit", "-q", "-m", "loosen", in: work)
        try scratch.git("push", "-q", "origin", "master", in: work)
        try scratch.git("checkout", "-q", "main", in: work)
        try scratch.tag("v1.5.0", in: work)
        let skip = try scratch.run("/usr/bin/env", ["git", "push", "origin", "v1.5.0"], in: work)
        #expect(skip.status != 0, "a skip went through on a policy pushed to master")
        #expect(skip.stderr.contains("[tag-skip]"), "\(skip.stderr)")
    }

    @Test func aCommittedFileTightensTheServersPolicyButNeverLoosensIt() throws {
        // The owner allows skips; the team's committed file refuses them: refused.
        let strict = try GuardedClone(hook: .server(policy: "[release]\n    allowSkip = true\n"))
        try commitPolicy("[release]\n    allowSkip = false\n", in: strict)
        #expect(try strict.push("-q", "origin", "main").status == 0)
        try strict.tag("v1.5.0")
        let tightened = try strict.push("origin", "v1.5.0")
        #expect(tightened.status != 0)
        #expect(tightened.stderr.contains("[tag-skip]"), "\(tightened.stderr)")

        // The owner refuses skips; a committed file that allows them changes nothing.
        let loose = try GuardedClone(hook: .server())
        try commitPolicy("[release]\n    allowSkip = true\n", in: loose)
        #expect(try loose.push("-q", "origin", "main").status == 0)
        try loose.tag("v1.5.0")
        let loosened = try loose.push("origin", "v1.5.0")
        #expect(loosened.status != 0)
        #expect(loosened.stderr.contains("[tag-skip]"), "\(loosened.stderr)")

        // A key the committed file leaves out keeps the owner's value (allowSkip here).
        let owner = try GuardedClone(hook: .server(policy: "[release]\n    allowSkip = true\n"))
        try commitPolicy("[release]\n    requireAnnotated = false\n", in: owner)
        #expect(try owner.push("-q", "origin", "main").status == 0)
        try owner.tag("v1.3.0")
        let skipping = try owner.push("origin", "v1.3.0")
        #expect(skipping.status == 0, "\(skipping.stderr)")

        // What the owner writes in the server's git config applies.
        _ = try loose.scratch.git("config", "release-guardian.release.allowSkip", "true", in: loose.origin)
        let allowed = try loose.push("origin", "v1.5.0")
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test func installCopiesTheCommittedPolicyAndPushesCannotChangeTheCopy() throws {
        let clone = try GuardedClone(hook: .none)
        try commitPolicy("[release]\n    onlyVersionTags = true\n", in: clone)
        _ = try clone.push("-q", "origin", "main")
        let install = try clone.scratch.run(binary, ["install", "--server", "--repo", clone.origin], in: clone.scratch.root)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("Wrote the server's policy"), "\(install.stdout)")
        let copy = try String(contentsOfFile: clone.origin + "/release-guardian.config", encoding: .utf8)
        #expect(copy.contains("onlyVersionTags = true"))
        try clone.tag("nightly", annotated: false)
        let nightly = try clone.push("origin", "nightly")
        #expect(nightly.status != 0)
        #expect(nightly.stderr.contains("[tag-format]"), "\(nightly.stderr)")

        // A later push that rewrites the committed file leaves the server's copy as it was.
        try commitPolicy("[release]\n    main = refs/heads/elsewhere\n", in: clone)
        #expect(try clone.push("-q", "origin", "main").status == 0)
        #expect(try String(contentsOfFile: clone.origin + "/release-guardian.config", encoding: .utf8) == copy)

        #expect(install.stdout.contains("The server applies: release.main = main"), "\(install.stdout)")

        // A committed file that calls another branch main is not copied: it would unguard main.
        let moved = try GuardedClone(hook: .none)
        try commitPolicy("[release]\n    main = refs/heads/evil\n", in: moved)
        _ = try moved.push("-q", "origin", "main")
        let refusedCopy = try moved.scratch.run(binary, ["install", "--server", "--repo", moved.origin], in: moved.scratch.root)
        #expect(refusedCopy.status == 2)
        #expect(refusedCopy.stderr.contains("release.main"), "\(refusedCopy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: moved.origin + "/hooks/pre-receive"))

        // Nor one that loosens the defaults (a pusher could have written it before a re-run of
        // install): the owner reviews it and gives it with --policy.
        let loose = try GuardedClone(hook: .none)
        try commitPolicy("[release]\n    allowSkip = true\n", in: loose)
        _ = try loose.push("-q", "origin", "main")
        let looseCopy = try loose.scratch.run(binary, ["install", "--server", "--repo", loose.origin], in: loose.scratch.root)
        #expect(looseCopy.status == 2)
        #expect(looseCopy.stderr.contains("release.allowSkip") && looseCopy.stderr.contains("--policy"), "\(looseCopy.stderr)")
        #expect(!FileManager.default.fileExists(atPath: loose.origin + "/release-guardian.config"))

        // A policy given to install that git cannot read installs nothing.
        let other = try GuardedClone(hook: .none)
        try other.scratch.write("[release\n  allowSkip = true\n", to: other.scratch.root + "/bad")
        let bad = try other.scratch.run(
            binary, ["install", "--server", "--repo", other.origin, "--policy", other.scratch.root + "/bad"], in: other.scratch.root)
        #expect(bad.status == 2)
        #expect(
            bad.stderr.contains(other.scratch.root + "/bad") && bad.stderr.contains("line 1"), "refused for another reason: \(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: other.origin + "/hooks/pre-receive"))
        #expect(!FileManager.default.fileExists(atPath: other.origin + "/release-guardian.config"))
    }

    @Test func aMalformedPolicyNeverLandsOnMainAndOneAlreadyThereBlocksNothing() throws {
        let clone = try GuardedClone(hook: .server())
        let before = try clone.originRefs()
        try commitPolicy("[release]\n    allowSkip = true\n[broken\n", in: clone, message: "broken policy")
        let refused = try clone.push("origin", "main")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("[policy-file]"), "\(refused.stderr)")
        #expect(refused.stderr.contains("line 3"), "the line is not named: \(refused.stderr)")
        #expect(try clone.originRefs() == before)

        // One that landed before the hook was there (or by an admin) is ignored with a warning:
        // pushes to other branches, and the push that fixes it, go through.
        let admin = try clone.push("-q", "--receive-pack=git -c core.hooksPath=/nonexistent receive-pack", "origin", "main")
        #expect(admin.status == 0, "\(admin.stderr)")
        _ = try clone.git("checkout", "-q", "-b", "feature")
        _ = try clone.commit("unrelated work")
        let feature = try clone.push("origin", "feature")
        #expect(feature.status == 0, "\(feature.stderr)")
        #expect(feature.stderr.contains("warning"), "\(feature.stderr)")
        _ = try clone.git("checkout", "-q", "main")
        try commitPolicy("[release]\n    allowSkip = false\n", in: clone, message: "fix policy")
        let fix = try clone.push("origin", "main")
        #expect(fix.status == 0, "\(fix.stderr)")
    }

    @Test func judgesPushesWhenTheTemporaryDirectoryCannotBeWritten() throws {
        let clone = try GuardedClone(hook: .server())
        try commitPolicy("[release]\n    requireAnnotated = true\n", in: clone)
        #expect(try clone.push("-q", "origin", "main").status == 0)
        _ = try clone.commit("next")
        try clone.tag("v1.1.0")
        // A full or missing TMPDIR on the server must not stop every push.
        let push = try clone.scratch.run(
            "/usr/bin/env", ["git", "push", "--follow-tags", "origin", "main"], in: clone.work,
            extraEnvironment: ["TMPDIR": clone.scratch.root + "/no-such-directory"])
        #expect(push.status == 0, "\(push.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
    }

    @Test func whatRollbacksKeepCannotBeMovedOrDeleted() throws {
        let clone = try GuardedClone(hook: .server())
        let backup = "refs/release-guardian/backup/prod/20261123T101500Z"
        let ledger = "refs/release-guardian/ledger"
        let first = try clone.git("rev-parse", "HEAD")
        _ = try clone.commit("ledger record 1")
        _ = try clone.commit("ledger record 2")
        #expect(try clone.push("-q", "origin", "HEAD~1:\(backup)", "HEAD~1:\(ledger)").status == 0)  // created: fine
        #expect(try clone.push("-q", "origin", "HEAD:\(ledger)").status == 0)  // the ledger grows: fine
        let before = try clone.originRefs()
        for (refspec, what) in [
            (":\(backup)", "a deleted backup"), ("+HEAD:\(backup)", "a moved backup"),
            ("+\(first):\(ledger)", "a rewritten ledger"), (":\(ledger)", "a deleted ledger"),
        ] {
            let push = try clone.push("origin", refspec)
            #expect(push.status != 0, "\(what) went through")
            #expect(push.stderr.contains("[record-kept]"), "\(what): \(push.stderr)")
        }
        #expect(try clone.originRefs() == before)
    }

    /// A policy file of hundreds of thousands of keys (as libgit2's `config-oom` fixture) would
    /// make git list gigabytes: it is refused by its size, before anything reads it.
    @Test func aHugePolicyFileIsRefusedBeforeItIsRead() throws {
        let clone = try GuardedClone(hook: .server())
        let keys = (0..<40_000).map { "    k\($0) = 1\n" }.joined()
        try commitPolicy("[release]\n" + keys, in: clone)
        let push = try clone.push("origin", "main")
        #expect(push.status != 0)
        #expect(push.stderr.contains("[policy-file]") && push.stderr.contains("a policy file may have"), "\(push.stderr)")
    }

    /// git's own upkeep on the server goes through the transaction hook: `pack-refs` deletes the
    /// loose copy of every ref it packs, which is not a deletion of the ref.
    @Test func gitsOwnUpkeepStillWorksOnAGuardedServer() throws {
        let clone = try GuardedClone(hook: .server())
        _ = try clone.commit("next")
        try clone.tag("v1.1.0")
        #expect(try clone.push("-q", "--follow-tags", "origin", "main").status == 0)
        let pack = try clone.scratch.run("/usr/bin/env", ["git", "pack-refs", "--all"], in: clone.origin)
        #expect(pack.status == 0, "\(pack.stderr)")
        let gc = try clone.scratch.run("/usr/bin/env", ["git", "gc", "-q"], in: clone.origin)
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
    }

    /// The ledger and backups cannot be seeded so that later rollbacks fail: a ledger created
    /// over a commit nobody can read, or a backup name that blocks an environment's backups.
    @Test func theRecordsCannotBePoisonedInAdvance() throws {
        let clone = try GuardedClone(hook: .server())
        let tree = try clone.git("rev-parse", "HEAD^{tree}")
        let malformed = try clone.scratch.git(
            "hash-object", "-t", "commit", "--literally", "-w", "--stdin", in: clone.work,
            input: "tree \(tree)\nauthor garbage\n\nmsg\n")
        let tip = try clone.git("commit-tree", tree, "-p", malformed, "-m", "poisoned tip")
        let poisoned = try clone.push("origin", "\(tip):refs/release-guardian/ledger")
        #expect(poisoned.status != 0)
        #expect(poisoned.stderr.contains("[record-kept]"), "refused for another reason: \(poisoned.stderr)")
        #expect(!(try clone.originRefs().contains("refs/release-guardian/ledger ")))
        let blocking = try clone.push("origin", "HEAD:refs/release-guardian/backup/staging")
        #expect(blocking.status != 0)
        #expect(blocking.stderr.contains("[record-kept]"), "\(blocking.stderr)")
        #expect(try clone.push("-q", "origin", "HEAD:refs/release-guardian/backup/staging/20261123T101500Z-2").status == 0)
    }

    // MARK: 3. Maintenance branches vouch only for hotfixes of their line

    @Test func aThrowawayBranchDoesNotVouchForATag() throws {
        let clone = try GuardedClone(hook: .server())
        _ = try clone.git("checkout", "-q", "-b", "topic")
        _ = try clone.commit("not on main")
        try clone.tag("v1.1.0")
        let before = try clone.originRefs()
        // A branch that names no line, created with the tag, then deleted.
        let together = try clone.push("origin", "HEAD:refs/heads/release/vX", "v1.1.0")
        #expect(together.status != 0, "v1.1.0 landed off main")
        #expect(together.stderr.contains("[tag-on-main]"), "\(together.stderr)")
        #expect(try clone.originRefs() == before)
        // Pushed first, it still names no line.
        #expect(try clone.push("-q", "origin", "HEAD:refs/heads/release/vX").status == 0)
        let after = try clone.push("origin", "v1.1.0")
        #expect(after.status != 0)
        #expect(after.stderr.contains("[tag-on-main]"), "\(after.stderr)")

        // A new major with its own rollback branch: still off main.
        _ = try clone.git("tag", "-d", "v1.1.0")
        try clone.tag("v2.0.0")
        let major = try clone.push("origin", "HEAD:refs/heads/release/v2.0.0", "v2.0.0")
        #expect(major.status != 0)
        #expect(major.stderr.contains("[tag-on-main]"), "\(major.stderr)")
        // A maintenance branch created in the same push, even one that names the line.
        _ = try clone.git("tag", "-d", "v2.0.0")
        try clone.tag("v1.0.1")
        let same = try clone.push("origin", "HEAD:refs/heads/release/v1.0", "v1.0.1")
        #expect(same.status != 0)
        #expect(same.stderr.contains("[tag-on-main]"), "refused for another reason: \(same.stderr)")
        #expect(!(try clone.originRefs().contains("refs/tags/v1.0.1 ")))
    }

    @Test func aMaintenanceBranchStartsAtItsLineOnlyMovesForwardAndStays() throws {
        let clone = try GuardedClone(hook: .server())
        _ = try clone.commit("feature")
        try clone.tag("v1.1.0")
        #expect(try clone.push("--follow-tags", "-q", "origin", "main").status == 0)
        // Started off main and off its line's releases: refused.
        _ = try clone.git("checkout", "-q", "--orphan", "elsewhere")
        _ = try clone.commit("elsewhere")
        let offLine = try clone.push("origin", "HEAD:refs/heads/release/v1.0")
        #expect(offLine.status != 0)
        #expect(offLine.stderr.contains("[maintenance-branch]"), "\(offLine.stderr)")
        // Started at v1.0.0, then a hotfix on it, then its tag after v1.1.0: the legitimate way.
        _ = try clone.git("checkout", "-q", "-b", "release/v1.0", "v1.0.0")
        #expect(try clone.push("-q", "origin", "release/v1.0").status == 0)
        _ = try clone.commit("hotfix")
        #expect(try clone.push("-q", "origin", "release/v1.0").status == 0)
        try clone.tag("v1.0.1")
        let hotfix = try clone.push("origin", "v1.0.1")
        #expect(hotfix.status == 0, "\(hotfix.stderr)")
        // A branch naming a whole major vouches for patches of released lines only, not new minors.
        _ = try clone.git("checkout", "-q", "-b", "release/v1", "v1.0.1")
        #expect(try clone.push("-q", "origin", "release/v1").status == 0)
        _ = try clone.commit("a new minor off main")
        #expect(try clone.push("-q", "origin", "release/v1").status == 0)
        try clone.tag("v1.2.0")
        let newMinor = try clone.push("origin", "v1.2.0")
        #expect(newMinor.status != 0)
        #expect(newMinor.stderr.contains("[tag-on-main]"), "\(newMinor.stderr)")
        _ = try clone.git("tag", "-d", "v1.2.0")
        _ = try clone.git("checkout", "-q", "release/v1.0")
        // It vouches for its own line only.
        _ = try clone.commit("not a hotfix of 1.0")
        #expect(try clone.push("-q", "origin", "release/v1.0").status == 0)
        try clone.tag("v1.2.0")
        let otherLine = try clone.push("origin", "v1.2.0")
        #expect(otherLine.status != 0)
        #expect(otherLine.stderr.contains("[tag-on-main]"), "\(otherLine.stderr)")
        // Never rewritten, never deleted.
        _ = try clone.git("reset", "-q", "--hard", "HEAD~1")
        _ = try clone.commit("rewritten")
        let force = try clone.push("--force", "origin", "release/v1.0")
        #expect(force.status != 0)
        #expect(force.stderr.contains("[maintenance-branch]"), "\(force.stderr)")
        let delete = try clone.push("origin", ":release/v1.0")
        #expect(delete.status != 0)
        #expect(delete.stderr.contains("[maintenance-branch]"), "\(delete.stderr)")
        #expect(try clone.originRefs().contains("refs/heads/release/v1.0 "))
    }

    // MARK: 4. A race in a non-atomic push

    /// B pushes main while A's push of `main v1.1.0` waits in a slow chained pre-receive hook
    /// (after A's check passed on A's main): A's main is then refused as stale, and its tag,
    /// which pre-receive allowed because of that main, must not be written either.
    @Test func aTagIsNotWrittenWhenTheMainUpdateItCountedOnFails() throws {
        let a = try GuardedClone(hook: .server())
        let go = a.scratch.root + "/go"
        let waiting = a.scratch.root + "/waiting"
        let chained = a.origin + "/hooks/pre-receive.chained"
        try a.scratch.write(
            """
            #!/bin/sh
            input=$(cat)
            case "$input" in *refs/tags/v1.1.0*)
                touch '\(waiting)'
                i=0; while [ ! -e '\(go)' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done ;;
            esac
            exit 0

            """, to: chained)
        _ = try a.scratch.run("/bin/chmod", ["+x", chained], in: a.origin)
        let bWork = a.scratch.root + "/b"
        _ = try a.scratch.git("clone", "-q", a.origin, bWork, in: a.scratch.root)

        _ = try a.commit("A's feature")
        try a.tag("v1.1.0")
        let push = try BackgroundProcess("/usr/bin/env", ["git", "push", "origin", "main", "v1.1.0"], in: a.work, scratch: a.scratch)
        #expect(waitForFile(waiting), "A's push never reached the chained hook")

        _ = try a.scratch.commit("B's feature", in: bWork)
        let b = try a.scratch.run("/usr/bin/env", ["git", "push", "origin", "main"], in: bWork)
        #expect(b.status == 0, "\(b.stderr)")
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        let pushed = push.wait()

        #expect(pushed.status != 0, "A's push: \(pushed.stderr)")
        let refs = try a.originRefs()
        #expect(!refs.contains("refs/tags/v1.1.0 "), "v1.1.0 landed off main: \(pushed.stderr)")
        #expect(try a.scratch.git("rev-parse", "main", in: a.origin) == a.scratch.git("rev-parse", "HEAD", in: bWork))
        let free = try a.scratch.run("/usr/bin/flock", ["-n", a.origin + "/release-guardian.transaction.lock", "true"], in: a.origin)
        #expect(free.status == 0, "the lock was left held")
    }

    /// Guarded transactions are judged one at a time: a push waits while another process holds
    /// the lock, goes ahead once it is free, and leaves it free; a keeper record left by a crash
    /// blocks nothing (the kernel's lock died with its process).
    @Test func guardedTransactionsWaitForEachOtherAndLeaveTheLockFree() throws {
        let clone = try GuardedClone(hook: .server())
        let lock = clone.origin + "/release-guardian.transaction.lock"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [lock, "sleep", "3"]  // held for 3 s
        try holder.run()
        usleep(300_000)

        _ = try clone.commit("next")
        try clone.tag("v1.1.0")
        let push = try BackgroundProcess(
            "/usr/bin/env", ["git", "push", "--follow-tags", "origin", "main"], in: clone.work, scratch: clone.scratch)
        usleep(1_500_000)
        #expect(push.isRunning, "the push did not wait for the lock")
        #expect(!(try clone.originRefs().contains("refs/tags/v1.1.0 ")))
        holder.waitUntilExit()
        let pushed = push.wait()
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
        let free = try clone.scratch.run("/usr/bin/flock", ["-n", lock, "true"], in: clone.origin)
        #expect(free.status == 0, "the lock was left held")

        // A keeper record of a push that crashed: the next push does not wait for it.
        try clone.scratch.write("999999 999998\n", to: clone.origin + "/release-guardian.transaction.keeper")
        _ = try clone.commit("after a crash")
        try clone.tag("v1.2.0")
        let started = Date()
        let next = try clone.push("--follow-tags", "origin", "main")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func installsTheTransactionHookAndChainsOneThatWasThere() throws {
        let clone = try GuardedClone(hook: .none)
        let record = clone.scratch.root + "/states"
        try clone.scratch.write(
            "#!/bin/sh\necho \"$1\" >> '\(record)'\ncat >/dev/null\n", to: clone.origin + "/hooks/reference-transaction")
        _ = try clone.scratch.run("/bin/chmod", ["+x", clone.origin + "/hooks/reference-transaction"], in: clone.origin)
        try clone.installServerHook()
        #expect(FileManager.default.isExecutableFile(atPath: clone.origin + "/hooks/reference-transaction.chained"))
        _ = try clone.commit("next")
        try clone.tag("v1.1.0")
        let push = try clone.push("--follow-tags", "origin", "main")
        #expect(push.status == 0, "\(push.stderr)")
        let states = try String(contentsOfFile: record, encoding: .utf8)
        #expect(states.contains("prepared") && states.contains("committed"), "\(states)")
    }
}
