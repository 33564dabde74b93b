import Foundation
import TestSupport
import Testing

/// `revert-to` to a deploy remote reached over SSH, as PaaS remotes are, with an `sshd` started
/// on loopback with throwaway host and user keys.
struct RevertOverSSHTests {
    let f: DeployFixture
    let sshd: SSHServer
    let prod: String

    init() throws {
        f = try DeployFixture()
        sshd = try SSHServer(scratch: f.scratch)
        prod = try f.scratch.deployRemote(at: f.scratch.root + "/ssh-prod.git", running: f.v110, from: f.work)
        try f.configure(targets: [sshd.url(prod) + " master"])
    }

    func prodHead() throws -> String {
        try f.scratch.git("rev-parse", "refs/heads/master", in: prod)
    }

    @Test func refusesAnUnknownHostKeyWithTheFix() throws {
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not in \(f.scratch.root)/home/.ssh/known_hosts"), "\(result.stderr)")
        #expect(result.stderr.contains("ssh-keyscan -p \(sshd.port) 127.0.0.1"))
        #expect(try prodHead() == f.v110)
    }

    @Test func refusesAChangedHostKey() throws {
        try sshd.trustAnImpostorKey()
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not the one in"), "\(result.stderr)")
        #expect(try prodHead() == f.v110)
    }

    @Test(arguments: [false, true])
    func rollsBackOverSSHWithAKnownHostKey(hashed: Bool) throws {
        try sshd.trust(hashed: hashed)
        if hashed {
            let knownHosts = try String(contentsOfFile: f.scratch.root + "/home/.ssh/known_hosts", encoding: .utf8)
            #expect(knownHosts.hasPrefix("|1|"))
        }
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try prodHead() == f.v100)
        #expect(try f.backups().first?.hasSuffix(" " + f.v110) == true)
    }

    @Test func saysWhichCredentialsFailed() throws {
        try sshd.trust(hashed: false)
        let key = f.scratch.root + "/home/.ssh/id_ed25519"
        try FileManager.default.removeItem(atPath: key)
        try FileManager.default.removeItem(atPath: key + ".pub")
        _ = try f.scratch.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], in: f.scratch.root)
        let result = try f.revert("v1.0.0", "--yes")
        #expect(result.status == 2)
        #expect(result.stderr.contains("authentication failed"), "\(result.stderr)")
        // The key offered is named, with what to do.
        #expect(result.stderr.contains(key + ")") || result.stderr.contains(key + ","), "\(result.stderr)")
        #expect(result.stderr.contains("Load the deploy key into ssh-agent"))
        #expect(try prodHead() == f.v110)
    }

    /// CI has no `~/.ssh`: the deploy key and the known hosts come from secret variables, and the
    /// key is used from memory (never written where another job could read it).
    @Test func rollsBackWithTheKeyAndKnownHostsFromTheEnvironment() throws {
        let ssh = f.scratch.root + "/home/.ssh"
        let key = try String(contentsOfFile: ssh + "/id_ed25519", encoding: .utf8)
        let scan = try f.scratch.run("/usr/bin/ssh-keyscan", ["-p", "\(sshd.port)", "127.0.0.1"], in: f.scratch.root)
        #expect(scan.status == 0)
        try FileManager.default.removeItem(atPath: ssh)
        let before = Set(try FileManager.default.subpathsOfDirectory(atPath: f.scratch.root))

        let unknown = try f.scratch.run(
            binary, ["revert-to", "v1.0.0", "--yes"], in: f.work,
            extraEnvironment: ["RELEASE_GUARDIAN_SSH_KEY": key, "RELEASE_GUARDIAN_KNOWN_HOSTS": "# none yet\n"])
        #expect(unknown.status == 2 && unknown.stderr.contains("RELEASE_GUARDIAN_KNOWN_HOSTS"), "\(unknown.stderr)")
        #expect(try prodHead() == f.v110)

        let result = try f.scratch.run(
            binary, ["revert-to", "v1.0.0", "--yes"], in: f.work,
            extraEnvironment: ["RELEASE_GUARDIAN_SSH_KEY": key, "RELEASE_GUARDIAN_KNOWN_HOSTS": scan.stdout])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try prodHead() == f.v100)
        #expect(!result.stderr.contains("PRIVATE KEY") && !result.stdout.contains("PRIVATE KEY"))
        // No file holds the key: nothing new outside the repositories' own objects and refs.
        let written = Set(try FileManager.default.subpathsOfDirectory(atPath: f.scratch.root)).subtracting(before)
        for path in written where !path.contains(".git/") && !path.contains("srv/") && !path.hasPrefix("origin") {
            let text = (try? String(contentsOfFile: f.scratch.root + "/" + path, encoding: .utf8)) ?? ""
            #expect(!text.contains("PRIVATE KEY"), "the key was written to \(path)")
        }
    }
}
