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
}
