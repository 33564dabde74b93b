import Foundation
import TestSupport
import Testing

/// `install` under each hook manager, with the real tool (pre-commit and lefthook from PyPI,
/// installed into .build/tools by ci/setup.sh; husky v9's files as its `husky` command writes
/// them), and a real `git push` of a bad tag that must be refused: v1.5.0 after v1.0.0 skips a
/// version, which every setting refuses.
struct HookManagerTests {
    static let tools = CITemplateTests.packageRoot + "/.build/tools/bin"
    static let preCommitInstalled = FileManager.default.isExecutableFile(atPath: tools + "/pre-commit")
    static let lefthookInstalled = FileManager.default.isExecutableFile(atPath: tools + "/lefthook")
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let systemPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    /// The tools and release-guardian on PATH, as a developer who installed them has.
    static let environment = [
        "PATH": tools + ":" + URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":" + systemPath,
        "PYTHONDONTWRITEBYTECODE": "1",
    ]

    /// A command line in `directory` with the tools on PATH.
    func sh(
        _ command: String, in clone: GuardedClone, directory: String? = nil, environment: [String: String] = environment
    )
        throws -> ProcessResult
    {
        try clone.scratch.run("/bin/sh", ["-c", command], in: directory ?? clone.work, extraEnvironment: environment)
    }

    /// A command line that must succeed.
    @discardableResult
    func must(_ command: String, in clone: GuardedClone, directory: String? = nil) throws -> ProcessResult {
        let result = try sh(command, in: clone, directory: directory)
        #expect(result.status == 0, "\(command): \(result.stdout)\(result.stderr)")
        return result
    }

    /// The bad tag pushed alone: refused by release-guardian, origin unchanged.
    func expectBadTagRefused(_ clone: GuardedClone, directory: String? = nil, environment: [String: String] = environment) throws {
        let before = try clone.originRefs()
        _ = try sh("git tag -a v1.5.0 -m 'Release v1.5.0'", in: clone, directory: directory, environment: environment)
        let push = try sh("git push origin v1.5.0", in: clone, directory: directory, environment: environment)
        #expect(push.status != 0, "the bad tag went through: \(push.stderr)")
        #expect(push.stderr.contains("[tag-skip] refs/tags/v1.5.0"), "\(push.stderr)")
        #expect(try clone.originRefs() == before)
        _ = try sh("git tag -d v1.5.0", in: clone, directory: directory, environment: environment)
    }

    // MARK: pre-commit

    static let preCommitConfiguration = """
        repos:
        - repo: local
          hooks:
          - id: team-check
            name: team check
            entry: sh -c 'echo ran >> .git/team-check-ran'
            language: system
            pass_filenames: false
            always_run: true
            stages: [pre-push]

        """

    @Test(.enabled(if: preCommitInstalled || inCI, "pre-commit is not in .build/tools: run ci/setup.sh"))
    func underPreCommitBothHooksRunAcrossReinstallsAndABadTagIsRefused() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.scratch.write(Self.preCommitConfiguration, to: clone.work + "/.pre-commit-config.yaml")
        try must("git add .pre-commit-config.yaml && git commit -qm 'pre-commit' && git push -q origin main", in: clone)
        // Either order, and pre-commit's install again after ours: its "migration mode".
        try must("pre-commit install --hook-type pre-push", in: clone)
        let install = try clone.releaseGuardian("install")
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("pre-push.legacy"), "\(install.stdout)")
        try must("pre-commit install --hook-type pre-push", in: clone)
        #expect(try clone.releaseGuardian("install").status == 0)
        let again = try must("pre-commit install --hook-type pre-push", in: clone)
        #expect(again.stdout.contains("migration mode"))
        let hooks = clone.work + "/.git/hooks/"
        #expect(try String(contentsOfFile: hooks + "pre-push", encoding: .utf8).contains("pre-commit.com"))
        #expect(try String(contentsOfFile: hooks + "pre-push.legacy", encoding: .utf8).contains("release-guardian pre-push hook"))
        #expect(!FileManager.default.fileExists(atPath: hooks + "pre-push.chained"))

        // A tag-only push (pre-commit runs none of its hooks for it) and a force-push of main.
        try expectBadTagRefused(clone)
        _ = try clone.commit("second")
        try must("git push -q origin main", in: clone)
        _ = try clone.git("reset", "-q", "--hard", "HEAD~1")
        _ = try clone.commit("rewritten")
        let rewrite = try sh("git push --force origin main", in: clone)
        #expect(rewrite.status != 0)
        #expect(rewrite.stderr.contains("[main-force]"), "\(rewrite.stderr)")
        // Good pushes go through, and pre-commit's own hook still runs.
        _ = try clone.git("reset", "-q", "--hard", "origin/main")
        try? FileManager.default.removeItem(atPath: clone.work + "/.git/team-check-ran")
        _ = try clone.commit("third")
        try clone.tag("v1.1.0")
        let good = try sh("git push --follow-tags origin main", in: clone)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(FileManager.default.fileExists(atPath: clone.work + "/.git/team-check-ran"), "pre-commit's hook did not run")
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
    }

    @Test(.enabled(if: preCommitInstalled || inCI, "pre-commit is not in .build/tools: run ci/setup.sh"))
    func repairsThePreCommitHooksAnEarlierInstallLeftBroken() throws {
        let clone = try GuardedClone(hook: .none)
        try clone.scratch.write(Self.preCommitConfiguration, to: clone.work + "/.pre-commit-config.yaml")
        try must("git add .pre-commit-config.yaml && git commit -qm 'pre-commit' && git push -q origin main", in: clone)
        try must("pre-commit install --hook-type pre-push", in: clone)
        // What the earlier install did: pre-commit's hook moved to pre-push.chained, ours in its
        // place; then `pre-commit install` moved ours to pre-push.legacy. Every push fails.
        let hooks = clone.work + "/.git/hooks/"
        try FileManager.default.moveItem(atPath: hooks + "pre-push", toPath: hooks + "pre-push.chained")
        let earlier = try String(contentsOfFile: CITemplateTests.packageRoot + "/hooks/pre-push", encoding: .utf8)
        try clone.scratch.write(earlier, to: hooks + "pre-push")
        try must("chmod +x .git/hooks/pre-push && pre-commit install --hook-type pre-push", in: clone)
        _ = try clone.commit("second")
        let broken = try sh("git push origin main", in: clone)
        #expect(broken.status != 0 && broken.stderr.contains("migration mode"), "\(broken.stderr)")

        let install = try clone.releaseGuardian("install")
        #expect(install.status == 0, "\(install.stderr)")
        #expect(!FileManager.default.fileExists(atPath: hooks + "pre-push.chained"))
        let good = try sh("git push origin main", in: clone)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(FileManager.default.fileExists(atPath: clone.work + "/.git/team-check-ran"), "pre-commit's hook did not run")
        try expectBadTagRefused(clone)
    }

    @Test(.enabled(if: preCommitInstalled || inCI, "pre-commit is not in .build/tools: run ci/setup.sh"))
    func checkAsAPreCommitHookStopsThePushInsteadOfPassingBlind() throws {
        let clone = try GuardedClone(hook: .none)
        let configuration = """
            repos:
            - repo: local
              hooks:
              - id: release-guardian
                name: release-guardian
                entry: release-guardian check
                language: system
                pass_filenames: false
                always_run: true
                stages: [pre-push]

            """
        try clone.scratch.write(configuration, to: clone.work + "/.pre-commit-config.yaml")
        try must("git add .pre-commit-config.yaml && git commit -qm 'pre-commit' && pre-commit install --hook-type pre-push", in: clone)
        let push = try sh("git push origin main", in: clone)
        #expect(push.status != 0, "pre-commit showed Passed for a check that saw nothing")
        #expect((push.stdout + push.stderr).contains("cannot guard pushes as a pre-commit hook"), "\(push.stdout)\(push.stderr)")
    }

    // MARK: lefthook

    /// The fenced block of README.md that contains `needle`: what a reader copies.
    static func readmeBlock(containing needle: String) throws -> String {
        let readme = try String(contentsOfFile: CITemplateTests.packageRoot + "/README.md", encoding: .utf8)
        let blocks = readme.components(separatedBy: "```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let block = try #require(blocks.first { $0.contains(needle) }, "no README block with \(needle)")
        return String(block.drop { $0 != "\n" }.dropFirst())  // without the language line
    }

    @Test(.enabled(if: lefthookInstalled || inCI, "lefthook is not in .build/tools: run ci/setup.sh"))
    func lefthookRunsTheReadmeScriptWithStdinAndABadTagIsRefused() throws {
        let clone = try GuardedClone(hook: .none)
        let teamCommand = "  commands:\n    lint:\n      run: echo linted >> .git/lint-ran\n"
        try clone.scratch.write("pre-push:\n" + teamCommand, to: clone.work + "/lefthook.yml")
        try must("git add lefthook.yml && git commit -qm lefthook && git push -q -u origin main && lefthook install", in: clone)
        let lefthookHook = try String(contentsOfFile: clone.work + "/.git/hooks/pre-push", encoding: .utf8)

        // install says what to add, and changes nothing: lefthook would move a hook of ours aside.
        let refused = try clone.releaseGuardian("install")
        #expect(refused.status == 1)
        let configuration = try Self.readmeBlock(containing: "use_stdin: true")
        let script = try Self.readmeBlock(containing: "exec \"${RELEASE_GUARDIAN")
        #expect(refused.stderr.contains(configuration) && refused.stderr.contains(script), "\(refused.stderr)")
        #expect(try String(contentsOfFile: clone.work + "/.git/hooks/pre-push", encoding: .utf8) == lefthookHook)

        // The README's snippets, merged with the team's pre-push section.
        try clone.scratch.write(configuration + teamCommand, to: clone.work + "/lefthook.yml")
        try FileManager.default.createDirectory(atPath: clone.work + "/.lefthook/pre-push", withIntermediateDirectories: true)
        try clone.scratch.write(script, to: clone.work + "/.lefthook/pre-push/release-guardian.sh")
        try must("git add -A && git commit -qm 'release-guardian in lefthook' && git push -q origin main && lefthook install", in: clone)
        let confirmed = try clone.releaseGuardian("install")
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(
            confirmed.stdout.contains("lefthook's configuration names release-guardian") && confirmed.stdout.contains("read, not run"),
            "\(confirmed.stdout)")

        try expectBadTagRefused(clone)
        try clone.tag("v1.1.0")
        let good = try sh("git push origin v1.1.0", in: clone)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
    }

    // MARK: husky

    /// husky 9.1.7's `h` (the file `husky` copies to `.husky/_/h`).
    static let huskyH = """
        #!/usr/bin/env sh
        [ "$HUSKY" = "2" ] && set -x
        n=$(basename "$0")
        s=$(dirname "$(dirname "$0")")/$n

        [ ! -f "$s" ] && exit 0

        if [ -f "$HOME/.huskyrc" ]; then
        \techo "husky - '~/.huskyrc' is DEPRECATED, please move your code to ~/.config/husky/init.sh"
        fi
        i="${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"
        [ -f "$i" ] && . "$i"

        [ "${HUSKY-}" = "0" ] && exit 0

        export PATH="node_modules/.bin:$PATH"
        sh -e "$s" "$@"
        c=$?

        [ $c != 0 ] && echo "husky - $n script failed (code $c)"
        [ $c = 127 ] && echo "husky - command not found in PATH=$PATH"
        exit $c

        """
    static let huskyStub = "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\""

    /// What `husky` (9.1.7, index.js) does in a clone: core.hooksPath, `.husky/_/` ignored, `h`,
    /// one stub per hook.
    func huskyInit(_ clone: GuardedClone) throws {
        let underscore = clone.work + "/.husky/_/"
        try FileManager.default.createDirectory(atPath: underscore, withIntermediateDirectories: true)
        _ = try clone.git("config", "core.hooksPath", ".husky/_")
        try clone.scratch.write("*", to: underscore + ".gitignore")
        try clone.scratch.write(Self.huskyH, to: underscore + "h")
        let hooks = [
            "pre-commit", "pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-commit", "applypatch-msg", "pre-applypatch",
            "post-applypatch", "pre-rebase", "post-rewrite", "post-checkout", "post-merge", "pre-push", "pre-auto-gc",
        ]
        for hook in hooks {
            try clone.scratch.write(Self.huskyStub, to: underscore + hook)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: underscore + hook)
        }
    }

    @Test func underHuskyTheTeamsHookKeepsRunningAndABadTagIsRefused() throws {
        let clone = try GuardedClone(hook: .none)
        try huskyInit(clone)
        // The team's own pre-push: records the refs it is given, refuses when TEAM_SAYS_NO is set.
        let team =
            "while read local_ref local_oid remote_ref remote_oid; do echo \"$remote_ref\" >> .git/team-saw; done\n[ -z \"$TEAM_SAYS_NO\" ]\n"
        try clone.scratch.write("#!/bin/sh\n" + team, to: clone.work + "/.husky/pre-push")
        try must("git add .husky && git commit -qm husky && git push -q origin main", in: clone)

        let install = try clone.releaseGuardian("install")
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains(".husky/pre-push"), "\(install.stdout)")
        // husky's stub stays; the team's file gets our lines first, with no machine's path.
        #expect(try String(contentsOfFile: clone.work + "/.husky/_/pre-push", encoding: .utf8) == Self.huskyStub)
        #expect(!FileManager.default.fileExists(atPath: clone.work + "/.husky/_/pre-push.chained"))
        let teamHook = try String(contentsOfFile: clone.work + "/.husky/pre-push", encoding: .utf8)
        #expect(teamHook.hasPrefix("#!/bin/sh\n# release-guardian pre-push hook") && teamHook.hasSuffix(team), "\(teamHook)")
        let mode = try FileManager.default.attributesOfItem(atPath: clone.work + "/.husky/pre-push")[.posixPermissions] as? Int
        #expect(mode == 0o644, "the team's file changed mode")
        #expect(!teamHook.contains(".build/"))
        try must("git commit -qam 'release-guardian in husky'", in: clone)

        try expectBadTagRefused(clone)
        try clone.tag("v1.1.0")
        let good = try sh("git push origin main v1.1.0", in: clone)
        #expect(good.status == 0, "\(good.stderr)")
        // The team's hook got git's lines after ours read them.
        #expect(try String(contentsOfFile: clone.work + "/.git/team-saw", encoding: .utf8).contains("refs/tags/v1.1.0"))
        _ = try clone.commit("third")
        var environment = Self.environment
        environment["TEAM_SAYS_NO"] = "1"
        #expect(try sh("git push origin main", in: clone, environment: environment).status != 0)

        // Again: the lines are updated, not added twice.
        let again = try clone.releaseGuardian("install")
        #expect(again.stdout.contains("Updated"), "\(again.stdout)")
        #expect(try String(contentsOfFile: clone.work + "/.husky/pre-push", encoding: .utf8) == teamHook)
    }

    @Test func underHuskyAnEarlierInstallsHookIsReplacedByHuskysStub() throws {
        let clone = try GuardedClone(hook: .none)
        try huskyInit(clone)
        let underscore = clone.work + "/.husky/_/"
        // What the earlier install did: husky's stub moved aside, our hook in its place.
        try FileManager.default.moveItem(atPath: underscore + "pre-push", toPath: underscore + "pre-push.chained")
        try FileManager.default.copyItem(atPath: CITemplateTests.packageRoot + "/hooks/pre-push", toPath: underscore + "pre-push")
        let install = try clone.releaseGuardian("install")
        #expect(install.status == 0, "\(install.stderr)")
        #expect(try String(contentsOfFile: underscore + "pre-push", encoding: .utf8) == Self.huskyStub)
        #expect(!FileManager.default.fileExists(atPath: underscore + "pre-push.chained"))
        try expectBadTagRefused(clone)
    }

    // MARK: A tracked hooks directory

    @Test func aHookInATrackedHooksDirectoryWorksInAnotherClone() throws {
        let clone = try GuardedClone(hook: .none)
        let hooks = clone.work + "/.githooks"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        try clone.scratch.write("#!/bin/sh\ncat > /dev/null\necho team hook ran >&2\n", to: hooks + "/pre-push")
        _ = try clone.git("config", "core.hooksPath", ".githooks")
        // Installed by a binary that the other clone's machine does not have.
        let elsewhere = clone.scratch.root + "/this-machine-only"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: binary, toPath: elsewhere + "/release-guardian")
        let install = try clone.scratch.run(
            elsewhere + "/release-guardian", ["install"], in: clone.work, extraEnvironment: Self.environment)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("from PATH"), "\(install.stdout)")
        try FileManager.default.removeItem(atPath: elsewhere)
        #expect(!(try String(contentsOfFile: hooks + "/pre-push", encoding: .utf8).contains(elsewhere)))
        try must("chmod +x .githooks/pre-push.chained && git add .githooks && git commit -qm hooks && git push -q origin main", in: clone)

        // Another clone, on a machine with release-guardian on PATH, or named by $RELEASE_GUARDIAN.
        let other = clone.scratch.root + "/other"
        try clone.scratch.git("clone", "-q", clone.origin, other, in: clone.scratch.root)
        try clone.scratch.git("config", "core.hooksPath", ".githooks", in: other)
        try expectBadTagRefused(clone, directory: other)
        try clone.scratch.tag("v1.1.0", in: other)
        let named = ["PATH": Self.systemPath, "RELEASE_GUARDIAN": binary]
        let good = try sh("git push origin v1.1.0", in: clone, directory: other, environment: named)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stderr.contains("team hook ran"))
        #expect(try clone.originRefs().contains("refs/tags/v1.1.0 "))
    }

    /// `.git/hooks` linked to a tracked directory is a tracked hooks directory: no machine path.
    @Test func aHooksDirectoryLinkedIntoTheWorkingTreeGetsNoMachinePath() throws {
        let clone = try GuardedClone(hook: .none)
        try FileManager.default.createDirectory(atPath: clone.work + "/scripts/hooks", withIntermediateDirectories: true)
        try clone.scratch.write("#!/bin/sh\ncat > /dev/null\n", to: clone.work + "/scripts/hooks/pre-push")
        try must("chmod +x scripts/hooks/pre-push && git add scripts && git commit -qm hooks", in: clone)
        try? FileManager.default.removeItem(atPath: clone.work + "/.git/hooks")
        try FileManager.default.createSymbolicLink(atPath: clone.work + "/.git/hooks", withDestinationPath: "../scripts/hooks")
        let install = try clone.releaseGuardian("install")
        #expect(install.status == 0, "\(install.stderr)")
        let hook = try String(contentsOfFile: clone.work + "/scripts/hooks/pre-push", encoding: .utf8)
        #expect(!hook.contains(binary), "the tracked hook names this machine's binary")
    }

    /// `core.hooksPath = ~/hooks` is where git looks: under `$HOME`.
    @Test func aHooksPathUnderHomeIsExpandedAsGitDoes() throws {
        let clone = try GuardedClone(hook: .none)
        let home = clone.scratch.root + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        _ = try clone.git("config", "core.hooksPath", "~/hooks")
        let install = try clone.scratch.run(binary, ["install"], in: clone.work, extraEnvironment: ["HOME": home])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(FileManager.default.fileExists(atPath: home + "/hooks/pre-push"), "\(install.stdout)")
        try clone.tag("v1.5.0")
        let refused = try clone.scratch.run(
            "/usr/bin/env", ["git", "push", "origin", "v1.5.0"], in: clone.work,
            extraEnvironment: ["HOME": home, "RELEASE_GUARDIAN": binary])
        #expect(refused.status != 0 && refused.stderr.contains("[tag-skip]"), "\(refused.stderr)")
    }
}
