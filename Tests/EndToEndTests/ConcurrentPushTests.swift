import Foundation
import TestSupport
import Testing

/// Pushes racing into a bare origin guarded by `install --server`: the verdicts stay right and
/// the origin stays consistent when the hooks of many pushes run at once.
struct ConcurrentPushTests {
    let clone: GuardedClone
    let commits: [String]  // C0 (v1.0.0) … C6; origin's main is at C3 before the race

    init() throws {
        clone = try GuardedClone(hook: .server())
        var commits = [try clone.git("rev-parse", "main")]
        for index in 1...6 {
            commits.append(try clone.commit("change \(index)"))
            if index == 3 { #expect(try clone.push("-q", clone.origin, "main").status == 0) }
        }
        self.commits = commits
    }

    /// An annotated tag object named `name` on `commit`, made without a ref (so that one
    /// repository can hold several tags of the same name).
    func tagObject(_ name: String, on commit: String, message: String = "release") throws -> String {
        let text = "object \(commit)\ntype commit\ntag \(name)\ntagger Test Author <author@example.test> 1700000000 +0000\n\n\(message)\n"
        return try clone.scratch.git(["mktag"], in: clone.work, input: text)
    }

    func originRef(_ ref: String) throws -> String? {
        let result = try clone.scratch.run("/usr/bin/env", ["git", "rev-parse", "-q", "--verify", ref], in: clone.origin)
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    func isAncestor(_ ancestor: String, _ descendant: String) throws -> Bool {
        try clone.scratch.run("/usr/bin/env", ["git", "merge-base", "--is-ancestor", ancestor, descendant], in: clone.origin).status == 0
    }

    /// Runs every push at the same time (one `git push` process each) and returns their results.
    func race(_ pushes: [[String]]) throws -> [ProcessResult] {
        let results = ResultBox(count: pushes.count)
        let scratch = clone.scratch
        let (work, origin) = (clone.work, clone.origin)
        let group = DispatchGroup()
        for (index, refspecs) in pushes.enumerated() {
            group.enter()
            Thread {
                results.set(index, try? scratch.run("/usr/bin/env", ["git", "push", "--porcelain", origin] + refspecs, in: work))
                group.leave()
            }.start()
        }
        group.wait()
        return try results.values.map { try #require($0, "could not run git push") }
    }

    enum Expected {
        case accepted
        /// Refused by one of these rules (whichever the race leaves to refuse it).
        case refused(_ rules: [String])
        /// Main moves forward only: allowed exactly when main has not passed the commit yet.
        case main(Int)
    }

    @Test func sixtyMixedPushesGetTheVerdictTheRulesGive() throws {
        let c = commits
        let v100 = try originRef("refs/tags/v1.0.0")!
        let side = try clone.scratch.git("commit-tree", "\(c[1])^{tree}", "-p", c[1], "-m", "side", in: clone.work)
        let emptyTree = try clone.scratch.git("hash-object", "-t", "tree", "-w", "/dev/null", in: clone.work)
        let orphan = try clone.scratch.git("commit-tree", emptyTree, "-m", "orphan", in: clone.work)

        var pushes: [(refspecs: [String], expected: Expected)] = [
            (["\(try tagObject("v1.0.1", on: c[1])):refs/tags/v1.0.1"], .accepted),  // a hotfix of line 1.0
            (["\(try tagObject("v1.1.0", on: c[2])):refs/tags/v1.1.0"], .accepted),
            (["\(try tagObject("v2.0.0", on: c[3])):refs/tags/v2.0.0"], .accepted),
            (["\(c[0]):refs/heads/release/v1.0.0"], .accepted),
        ]
        for index in 1...8 { pushes.append((["\(c[1 + index % 3]):refs/tags/build-\(index)"], .accepted)) }
        for index in 1...10 { pushes.append((["\(index == 10 ? side : c[1 + index % 3]):refs/heads/feature/\(index)"], .accepted)) }
        for target in [4, 4, 4, 5, 5, 5, 6, 6, 6, 6] { pushes.append((["+\(c[target]):refs/heads/main"], .main(target))) }
        for name in [
            "V1.1.0", "v1.2", "v01.3.0", "v1.1.0+build.1", "v2.0", "1.2.3", "v1.0.1.1", "V2.0.0", "v1.1.0-01",
            "v1.1.0-rc_1", "v1.1.0-", "v2.0.0+meta", "v0001.0.0",
        ] {
            pushes.append((["\(try tagObject(name, on: c[3])):refs/tags/\(name)"], .refused(["tag-format"])))
        }
        for (name, commit, rules) in [
            ("v1.5.0", c[3], ["tag-skip"]), ("v4.0.0", c[3], ["tag-skip"]), ("v1.0.5", c[1], ["tag-skip"]),
            ("v1.0.2", side, ["tag-on-main", "tag-skip"]),
        ] {
            pushes.append((["\(try tagObject(name, on: commit)):refs/tags/\(name)"], .refused(rules)))
        }
        pushes.append((["+\(c[2]):refs/tags/v1.0.0"], .refused(["tag-immutable"])))
        pushes.append(([":refs/tags/v1.0.0"], .refused(["tag-delete"])))
        pushes.append(([":refs/heads/main"], .refused(["main-delete"])))
        for _ in 1...3 { pushes.append((["+\(orphan):refs/heads/main"], .refused(["main-force"]))) }
        pushes.append((["\(c[2]):refs/heads/release/v2.0.0"], .refused(["release-branch"])))
        for index in 1...4 {  // one bad ref refuses the whole push
            pushes.append(
                (
                    ["\(c[1]):refs/heads/mixed-\(index)", "\(try tagObject("v9.\(index).0", on: c[3])):refs/tags/v9.\(index).0"],
                    .refused(["tag-skip"])
                ))
        }
        #expect(pushes.count == 60)

        let started = Date()
        let results = try race(pushes.map(\.refspecs))
        let seconds = Date().timeIntervalSince(started)
        let finalMain = try #require(try originRef("refs/heads/main"))

        var mainRacesLost = 0
        for ((refspecs, expected), result) in zip(pushes, results) {
            let what = "\(refspecs) exit \(result.status): \(result.stderr)"
            switch expected {
            case .accepted:
                #expect(result.status == 0, "\(what)")
                for refspec in refspecs {
                    let parts = refspec.split(separator: ":").map(String.init)
                    #expect(try originRef(parts[1]) == parts[0], "\(what)")
                }
            case .refused(let rules):
                #expect(result.status != 0, "\(what)")
                #expect(rules.contains { result.stderr.contains("[\($0)]") }, "not refused by \(rules): \(what)")
                for refspec in refspecs where !refspec.hasPrefix(":") && !refspec.hasPrefix("+") {
                    let parts = refspec.split(separator: ":").map(String.init)
                    #expect(try originRef(parts[1]) == nil, "a refused push left \(parts[1]): \(what)")
                }
            case .main(let target):
                if result.status == 0 {
                    #expect(try isAncestor(c[target], finalMain), "main went back: \(what)")
                } else if result.stderr.contains("cannot lock ref 'refs/heads/main'") {
                    // The hook said yes to main as it was, another push moved main before this
                    // one took the ref's lock, and git's compare-and-swap refused it: no verdict.
                    mainRacesLost += 1
                } else {
                    // Refused as a rewrite: main had already passed this commit.
                    #expect(result.stderr.contains("[main-force]"), "\(what)")
                    #expect(try isAncestor(c[target], finalMain) && c[target] != finalMain, "\(what)")
                }
            }
        }
        #expect(try [c[4], c[5], c[6]].contains(finalMain))
        #expect(mainRacesLost < 10, "every main push lost a race")
        #expect(try originRef("refs/tags/v1.0.0") == v100, "v1.0.0 moved")

        // Every release tag is on main, and the versions follow the history.
        let tags = try clone.scratch.git("tag", "--list", "v*", "--sort=version:refname", in: clone.origin).split(separator: "\n").map(
            String.init)
        #expect(tags == ["v1.0.0", "v1.0.1", "v1.1.0", "v2.0.0"])
        let tagCommits = try tags.map { try #require(try originRef("refs/tags/\($0)^{commit}")) }
        for (lower, higher) in zip(tagCommits, tagCommits.dropFirst()) {
            #expect(try isAncestor(lower, higher))
        }
        for commit in tagCommits { #expect(try isAncestor(commit, finalMain)) }
        #expect(seconds < 60, "the race took \(seconds) s")
    }

    @Test func twentyClientsRacingToCreateTheSameReleaseTagOneWins() throws {
        // Twenty different tag objects named v1.1.0; half of the clients force their push, so
        // only the server hook stands between them and moving the tag once it exists.
        let candidates = try (1...20).map { try tagObject("v1.1.0", on: commits[3], message: "release by client \($0)") }
        #expect(Set(candidates).count == 20)
        let results = try race(candidates.enumerated().map { ["\($0.offset.isMultiple(of: 2) ? "+" : "")\($0.element):refs/tags/v1.1.0"] })
        let winners = zip(candidates, results).filter { $0.1.status == 0 }.map(\.0)
        #expect(winners.count == 1, "\(results.map(\.status))")
        #expect(try originRef("refs/tags/v1.1.0") == winners.first)
        for loser in results where loser.status != 0 {
            // Refused by the hook once the tag existed, by the client (no force), or by git's
            // lock when two creations were approved at once.
            let reasons = ["[tag-immutable]", "already exists", "cannot lock ref", "reference already exists"]
            #expect(reasons.contains { loser.stderr.contains($0) }, "\(loser.stderr)")
        }
        // Late clients forcing their own v1.1.0 meet the hook: the tag never moves.
        let late = try (1...5).map { try tagObject("v1.1.0", on: commits[2], message: "late client \($0)") }
        for result in try race(late.map { ["+\($0):refs/tags/v1.1.0"] }) {
            #expect(result.status != 0 && result.stderr.contains("[tag-immutable]"), "\(result.stderr)")
        }
        #expect(try originRef("refs/tags/v1.1.0") == winners.first)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ProcessResult?]

    init(count: Int) {
        stored = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: ProcessResult?) {
        lock.withLock { stored[index] = value }
    }

    var values: [ProcessResult?] { lock.withLock { stored } }
}
