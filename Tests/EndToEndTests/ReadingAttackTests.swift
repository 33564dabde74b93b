import Foundation
import TestSupport
import Testing

/// What an attack review of the reading redesign found: places where the file readers and
/// libgit2 (or git) answered differently, each now the same on both paths.
struct ReadingAttackTests {
    /// A `~/.gitconfig` with an include: the settings can then only be read through libgit2.
    func forceLibgit2Settings(_ clone: GuardedClone) throws {
        try clone.scratch.write("[user]\n    name = T\n    email = t@example.test\n", to: clone.scratch.root + "/home/extra")
        try clone.scratch.write("[include]\n    path = extra\n", to: clone.scratch.root + "/home/.gitconfig")
    }

    /// `git --work-tree=… push` hands the hook GIT_WORK_TREE, which libgit2 1.5 refuses to open.
    @Test(arguments: [false, true])
    func aPushWithAnExplicitWorkTreeIsJudged(throughLibgit2: Bool) throws {
        let clone = try GuardedClone()
        if throughLibgit2 { try forceLibgit2Settings(clone) }
        try clone.commit("second")
        try clone.tag("v1.1.0")
        let push = try clone.scratch.run(
            "/usr/bin/git", ["--git-dir=\(clone.work)/.git", "--work-tree=\(clone.work)", "push", "-q", "origin", "main", "v1.1.0"],
            in: clone.scratch.root)
        #expect(push.status == 0, "\(push.stderr)")
        try clone.tag("v1.3.0")
        let skip = try clone.scratch.run(
            "/usr/bin/git", ["--git-dir=\(clone.work)/.git", "--work-tree=\(clone.work)", "push", "-q", "origin", "v1.3.0"],
            in: clone.scratch.root)
        #expect(skip.status != 0 && skip.stderr.contains("[tag-skip]"), "\(skip.stderr)")
    }

    /// With GIT_DIR given, git takes the directory it runs in as the work tree: both readers
    /// read that directory's `.release-guardian`.
    @Test func gitDirFromASubdirectoryReadsTheSameSettingsOnBothPaths() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.git("branch", "trunk")
        try clone.scratch.write("[release]\n    main = trunk\n", to: clone.work + "/.release-guardian")
        try FileManager.default.createDirectory(atPath: clone.work + "/sub", withIntermediateDirectories: true)
        try clone.scratch.write("[release]\n    main = main\n", to: clone.work + "/sub/.release-guardian")
        var answers: [String] = []
        for throughLibgit2 in [false, true] {
            if throughLibgit2 { try forceLibgit2Settings(clone) }
            let env = try clone.scratch.run(
                binary, ["env", "main"], in: clone.work + "/sub", extraEnvironment: ["GIT_DIR": clone.work + "/.git"])
            #expect(env.status == 0, "\(env.stderr)")
            answers.append(env.stdout)
        }
        #expect(answers == ["preprod\n", "preprod\n"], "\(answers)")
    }

    /// A GitLab pipeline of a branch named like a release tag (a merge request's) builds the
    /// branch: it is not resolved to the tag, so it does not deploy to prod.
    @Test func aGitLabBranchNamedLikeATagIsTheBranch() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.git("branch", "v1.0.0")
        let environment = ["GITLAB_CI": "true", "CI_COMMIT_REF_NAME": "v1.0.0", "CI_COMMIT_SHA": try clone.rev("v1.0.0^{commit}")]
        let env = try clone.scratch.run(binary, ["env", "--format", "json"], in: clone.work, extraEnvironment: environment)
        #expect(env.status == 0, "\(env.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(env.stdout.utf8)) as? [String: Any]
        #expect(json?["ref"] as? String == "refs/heads/v1.0.0", "\(env.stdout)")
        #expect(json?["environment"] is NSNull, "\(env.stdout)")
    }

    /// A tag whose header says `type blob` while its object is a commit: git will not peel it,
    /// and neither path allows it.
    @Test func aTagThatLiesAboutItsTargetIsNotAllowed() throws {
        let clone = try GuardedClone(hook: .none)
        let commit = try clone.commit("second")
        try clone.git("push", "-q", "origin", "main")  // on main: only the lie can refuse it
        let text = "object \(commit)\ntype blob\ntag v1.1.0\ntagger T <t@example.test> 1700000000 +0000\n\nRelease v1.1.0\n"
        let tag = try clone.scratch.git(["hash-object", "-t", "tag", "-w", "--literally", "--stdin"], in: clone.work, input: text)
        let zero = String(repeating: "0", count: 40)
        let check = try clone.releaseGuardian("check", "origin", input: "refs/tags/v1.1.0 \(tag) refs/tags/v1.1.0 \(zero)\n")
        #expect(check.status != 0, "a tag git cannot peel was allowed: \(check.stdout) \(check.stderr)")
    }

    /// `release.main` names a branch; a tag or HEAD there would guard the wrong ref.
    @Test(arguments: ["refs/tags/v1.0.0", "HEAD", "refs/remotes/origin/main"])
    func releaseMainMustBeABranch(_ value: String) throws {
        let clone = try GuardedClone(hook: .none)
        try clone.scratch.write("[release]\n    main = \(value)\n", to: clone.work + "/.release-guardian")
        let env = try clone.releaseGuardian("env", "main")
        #expect(env.status == 2 && env.stderr.contains("release.main"), "\(env.status) \(env.stderr)")
    }

    /// A symbolic link under refs/ is a symbolic ref to git: both paths follow it as git does.
    @Test func aSymlinkedLooseRefIsReadAsGitReadsIt() throws {
        let clone = try GuardedClone(hook: .none)
        let second = try clone.commit("second")
        try clone.git("branch", "target")
        try FileManager.default.createSymbolicLink(atPath: clone.work + "/.git/refs/heads/alias", withDestinationPath: "target")
        let git = try clone.git("rev-parse", "refs/heads/alias")
        #expect(git == second)
        let env = try clone.releaseGuardian("env", "alias", "--format", "json")
        #expect(env.status == 0, "\(env.stderr)")
    }
}
