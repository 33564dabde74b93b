import Foundation
import TestSupport
import Testing

/// A team's clone and origin with releases v1.0.0 and v1.1.0 on main, and a prod deploy remote
/// served by `git daemon` on loopback, running v1.1.0.
final class DeployFixture {
    let clone: GuardedClone
    let daemon: GitDaemon
    var scratch: Scratch { clone.scratch }
    var work: String { clone.work }
    let v100: String
    let v110: String

    init() throws {
        clone = try GuardedClone(hook: .none)
        v100 = clone.firstCommit
        v110 = try clone.commit("the feature that breaks prod")
        try clone.tag("v1.1.0")
        try clone.git("push", "-q", "--follow-tags", "origin", "main")
        daemon = try GitDaemon(basePath: clone.scratch.root + "/srv", scratch: clone.scratch)
        try makeDeployRemote("prod.git", running: v110)
        try configure(targets: [daemon.url("prod.git") + " master"])
    }

    /// A bare repository served by the daemon, its master at `commit` (nil: empty).
    func makeDeployRemote(_ name: String, running commit: String?) throws {
        try scratch.deployRemote(at: daemon.basePath + "/" + name, running: commit, from: work)
    }

    /// Writes `.release-guardian` with these prod targets (`REMOTE BRANCH` each).
    func configure(targets: [String]) throws {
        try scratch.write("[environment \"prod\"]\n" + targets.map { "    target = \($0)\n" }.joined(), to: work + "/.release-guardian")
    }

    func revert(_ arguments: String...) throws -> ProcessResult {
        try scratch.run(binary, ["revert-to"] + arguments, in: work)
    }

    /// The commit a deploy remote's master is at (empty when it has none).
    func head(_ name: String = "prod.git") throws -> String {
        try scratch.git("for-each-ref", "--format=%(objectname)", "refs/heads/master", in: daemon.basePath + "/" + name)
    }

    /// Every ref of the clone, origin and the deploy remotes: to prove that nothing changed.
    func everything() throws -> String {
        var all = try clone.originRefs()
        all += try scratch.git(
            "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags", "refs/release-guardian", in: work)
        for name in try FileManager.default.contentsOfDirectory(atPath: daemon.basePath).sorted() {
            all += try scratch.git("for-each-ref", "--format=%(refname) %(objectname)", in: daemon.basePath + "/" + name)
        }
        return all
    }

    func backups() throws -> [String] {
        try scratch.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/release-guardian/backup", in: clone.origin)
            .split(separator: "\n").map(String.init)
    }
}
