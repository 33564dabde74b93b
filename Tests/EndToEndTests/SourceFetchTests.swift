import Foundation
import TestSupport
import Testing

/// Step 1 of `revert-to` (fetch the source remote with its tags, prune gone remote-tracking
/// branches) with origin reached over the network, where the advertisement is read by the
/// binary itself and the fetch shows libgit2 only what changed: what changed on origin is
/// fetched, a tag that moved included, and nothing else.
struct SourceFetchTests {
    /// The fixture's origin moved to `url` (a bare copy at `path`), and a colleague's clone of it.
    struct Origin {
        let path: String
        let url: String
        let colleague: String
    }

    func serve(_ f: DeployFixture, at path: String, url: String) throws -> Origin {
        try f.scratch.git("clone", "-q", "--bare", f.clone.origin, path, in: f.scratch.root)
        _ = try f.clone.git("remote", "set-url", "origin", url)
        // A branch that will go away on origin, already fetched here.
        try f.scratch.git("push", "-q", path, "main:refs/heads/gone", in: f.work)
        // From the path (OpenSSH's client reads the real home's ~/.ssh, not the scratch one).
        try f.scratch.git("fetch", "-q", path, "+refs/heads/*:refs/remotes/origin/*", in: f.work)
        let colleague = f.scratch.root + "/colleague"
        try f.scratch.git("clone", "-q", path, colleague, in: f.scratch.root)
        return Origin(path: path, url: url, colleague: colleague)
    }

    /// On origin: v1.0.0 moved to a hotfix (a release tag should never move; it did), v1.0.1 made
    /// there, a hotfix branch pushed, `gone` deleted.
    func changeOrigin(_ origin: Origin, f: DeployFixture) throws -> (hotfix: String, v101: String) {
        try f.scratch.git("checkout", "-q", "-b", "hotfix", "v1.0.0", in: origin.colleague)
        let hotfix = try f.scratch.commit("the hotfix", in: origin.colleague)
        try f.scratch.git("tag", "-f", "-a", "-m", "moved", "v1.0.0", hotfix, in: origin.colleague)
        try f.scratch.tag("v1.0.1", in: origin.colleague, at: hotfix)
        try f.scratch.git("push", "-q", "-f", "origin", "hotfix", "v1.0.0", "v1.0.1", ":gone", in: origin.colleague)
        return (hotfix, try f.scratch.git("rev-parse", "v1.0.1", in: origin.colleague))
    }

    /// The clone's tags and remote-tracking refs against origin's tags and branches.
    func expectInStep(_ f: DeployFixture, _ origin: Origin) throws {
        let ours = try f.clone.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/tags", "refs/remotes/origin")
        let theirs = try f.scratch.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/tags", "refs/heads", in: origin.path)
            .replacingOccurrences(of: "refs/heads/", with: "refs/remotes/origin/")
        #expect(Set(ours.split(separator: "\n")) == Set(theirs.split(separator: "\n")))
    }

    func fetchesWhatChanged(_ f: DeployFixture, _ origin: Origin) throws {
        let before = try f.clone.git("rev-parse", "v1.0.0")
        let (hotfix, v101) = try changeOrigin(origin, f: f)
        let moved = try f.scratch.git("rev-parse", "v1.0.0", in: origin.path)
        let result = try f.revert("v1.0.0", "--dry-run", "--allow-divergent")
        // The rollback is planned to the tag as it is now on origin, and the rules judge it so: a
        // tag that moved is as good as made now, and a new v1.0.0 is below v1.1.0's line.
        #expect(result.status == 1 && result.stderr.contains("refused: the rules refuse it"), "\(result.stderr)")
        // hotfix, v1.0.0, v1.0.1; gone
        #expect(result.stderr.contains("with tags: 3 refs changed, 1 pruned."), "\(result.stderr)")
        #expect(result.stderr.contains("v1.0.0 moved on origin: \(before.prefix(7)) → \(moved.prefix(7)) (fetched)."), "\(result.stderr)")
        #expect(result.stderr.contains("2. v1.0.0 is commit \(hotfix.prefix(7))."), "\(result.stderr)")
        #expect(try f.clone.git("rev-parse", "v1.0.0^{commit}") == hotfix)
        #expect(try f.clone.git("rev-parse", "v1.0.1") == v101)
        #expect(try f.clone.git("rev-parse", "refs/remotes/origin/hotfix") == hotfix)
        #expect(try f.scratch.tryGit("rev-parse", "-q", "--verify", "refs/remotes/origin/gone", in: f.work).status == 1, "not pruned")
        try expectInStep(f, origin)
        let again = try f.revert("v1.1.0", "--dry-run")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("with tags: 0 refs changed, 0 pruned."), "\(again.stderr)")
    }

    @Test func fetchesAMovedTagANewTagAndBranchAndPrunesOverGitDaemon() throws {
        let f = try DeployFixture()
        let origin = try serve(f, at: f.daemon.basePath + "/origin.git", url: f.daemon.url("origin.git"))
        try fetchesWhatChanged(f, origin)
    }

    @Test func fetchesAMovedTagANewTagAndBranchAndPrunesOverSSH() throws {
        let f = try DeployFixture()
        let sshd = try SSHServer(scratch: f.scratch)
        try sshd.trust(hashed: false)
        let path = f.scratch.root + "/ssh-origin.git"
        let origin = try serve(f, at: path, url: sshd.url(path))
        try fetchesWhatChanged(f, origin)
    }

    /// Over HTTPS (stateless: the advertisement comes from a GET, the fetch from a POST) with a
    /// token from the environment, against `git http-backend` behind TLS and basic auth.
    @Test func fetchesAMovedTagANewTagAndBranchAndPrunesOverHTTPS() throws {
        let f = try DeployFixture()
        let root = f.scratch.root + "/https"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let cert = try f.scratch.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1", "-keyout", root + "/key.pem", "-out", root + "/cert.pem",
            ], in: root)
        guard cert.status == 0 else { throw ScratchError.commandFailed("openssl", cert.status, cert.stderr) }
        let port = try freeLoopbackPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = [
            "python3",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Servers/https-git-server.py").path,
            root, "\(port)", root + "/cert.pem", root + "/key.pem", "deployer", "s3cret-token",
        ]
        server.environment = f.scratch.environment
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        try waitForListener(port: port)
        try f.scratch.write(
            "[environment \"prod\"]\n    target = \(f.daemon.url("prod.git")) master\n[deploy]\n    caFile = \(root)/cert.pem\n",
            to: f.work + "/.release-guardian")
        let origin = try serve(f, at: root + "/origin.git", url: "https://127.0.0.1:\(port)/origin.git")
        let before = try f.clone.git("rev-parse", "v1.0.0")
        let (hotfix, _) = try changeOrigin(origin, f: f)
        let token = ["RELEASE_GUARDIAN_HTTPS_TOKEN": "s3cret-token", "RELEASE_GUARDIAN_HTTPS_USER": "deployer"]
        let result = try f.scratch.run(binary, ["revert-to", "v1.1.0", "--dry-run"], in: f.work, extraEnvironment: token)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("with tags: 3 refs changed, 1 pruned."), "\(result.stderr)")
        #expect(result.stderr.contains("v1.0.0 moved on origin: \(before.prefix(7)) → "), "\(result.stderr)")
        #expect(try f.clone.git("rev-parse", "v1.0.0^{commit}") == hotfix)
        try expectInStep(f, origin)
        #expect(!(result.stdout + result.stderr).contains("s3cret-token"))
    }

    /// Many tags on origin, a few of them new or moved: only those are fetched, and the clone
    /// ends up with origin's tags (the advertisement spans many reads; the fetch shows libgit2
    /// only what changed).
    @Test func fetchesOnlyTheTagsThatChangedAmongMany() throws {
        let f = try DeployFixture()
        let origin = try serve(f, at: f.daemon.basePath + "/origin.git", url: f.daemon.url("origin.git"))
        let commits = try f.clone.git("rev-list", "main").split(separator: "\n").map(String.init)
        var updates = ""
        for index in 0..<3_000 { updates += "create refs/tags/bulk/t\(index) \(commits[index % commits.count])\n" }
        try f.scratch.git("update-ref", "--stdin", in: origin.path, input: updates)
        try f.scratch.git("pack-refs", "--all", in: origin.path)
        let first = try f.revert("v1.0.0", "--dry-run")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("with tags: 3000 refs changed, 0 pruned."), "\(first.stderr)")
        try expectInStep(f, origin)
        try f.scratch.git("tag", "-f", "bulk/t17", "v1.0.0", in: origin.path)
        try f.scratch.git("tag", "bulk/new", "v1.0.0", in: origin.path)
        let second = try f.revert("v1.0.0", "--dry-run")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("with tags: 2 refs changed, 0 pruned."), "\(second.stderr)")
        #expect(second.stderr.contains("bulk/t17 moved on origin"), "\(second.stderr)")
        try expectInStep(f, origin)
    }
}
