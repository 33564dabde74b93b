import Foundation
import Git
import TestSupport
import Testing

/// Pushes with a lease over network transports (libgit2 ignores the expected old value on local
/// ones), against servers on loopback.
struct RemoteTests {
    let scratch: Scratch
    let work: String
    let daemon: GitDaemon
    let first: ObjectID
    let second: ObjectID

    init() throws {
        let world = try ReleaseWorld(.empty)
        scratch = world.scratch
        work = world.work
        first = ObjectID(hex: try world.commit("first"))!
        second = ObjectID(hex: try world.commit("second"))!
        try world.git("branch", "candidate")
        daemon = try GitDaemon(basePath: scratch.root + "/srv", scratch: scratch)
        try scratch.deployRemote(at: daemon.basePath + "/prod.git", running: "HEAD~1", from: work)
    }

    func options() -> TransportOptions { TransportOptions(homeDirectory: scratch.root + "/home") }

    func head(_ path: String) throws -> String {
        try scratch.git("rev-parse", "refs/heads/master", in: path)
    }

    @Test func leaseHoldsOnGitDaemon() throws {
        let remote = try Remote(daemon.url("prod.git"), in: Repository.open(at: work))
        #expect(try remote.heads(options: options()).first { $0.name == "refs/heads/master" }?.id == first)
        // Expecting another head: refused before anything is sent.
        do {
            try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: ["refs/heads/master": second], options: options())
            Issue.record("a broken lease pushed")
        } catch {
            guard case .leaseBroken(let ref, let expected, let found) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(ref == "refs/heads/master" && expected == second && found == first)
        }
        #expect(try head(daemon.basePath + "/prod.git") == first.hex)
        // Expecting what is there: pushed.
        try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: ["refs/heads/master": first], options: options())
        #expect(try head(daemon.basePath + "/prod.git") == second.hex)
    }

    @Test func leaseHoldsOverSSH() throws {
        let sshd = try SSHServer(scratch: scratch)
        try sshd.trust(hashed: true)
        let path = try scratch.deployRemote(at: scratch.root + "/ssh-prod.git", running: "HEAD~1", from: work)
        let remote = try Remote(sshd.url(path), in: Repository.open(at: work))
        do {
            try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: ["refs/heads/master": second], options: options())
            Issue.record("a broken lease pushed")
        } catch {
            // The lease, not the connection: an SSH failure would throw too.
            guard case .leaseBroken(let ref, let expected, let found) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(ref == "refs/heads/master" && expected == second && found == first)
        }
        #expect(try head(path) == first.hex)
        try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: ["refs/heads/master": first], options: options())
        #expect(try head(path) == second.hex)
    }

    @Test func reportsARefTheServerRefusesAsAFailure() throws {
        let hook = daemon.basePath + "/prod.git/hooks/pre-receive"
        try scratch.write("#!/bin/sh\nexit 1\n", to: hook)
        _ = try scratch.run("/bin/chmod", ["+x", hook], in: scratch.root)
        let remote = try Remote(daemon.url("prod.git"), in: Repository.open(at: work))
        do {
            try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: [:], options: options())
            Issue.record("a refused push looked successful")
        } catch {
            guard case .rejected(_, let refs) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(refs["refs/heads/master"] != nil)
        }
        #expect(try head(daemon.basePath + "/prod.git") == first.hex)
    }

    @Test func unreachableRemoteIsAnError() throws {
        let port = try freeLoopbackPort()
        let remote = try Remote("git://127.0.0.1:\(port)/prod.git", in: Repository.open(at: work))
        do {
            _ = try remote.heads(options: options())
            Issue.record("an unreachable remote answered")
        } catch {
            guard case .git(let url, let git) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(url == "git://127.0.0.1:\(port)/prod.git")
            #expect(git.message.contains("failed to connect"), "\(git.message)")
        }
    }

    @Test func redactsCredentialsInURLs() {
        #expect(redacted("https://deploy:s3cret@git.example.test/app.git") == "https://***@git.example.test/app.git")
        #expect(redacted("https://git.example.test/app.git") == "https://git.example.test/app.git")
        #expect(redacted("git@ssh.osc-fr1.scalingo.com:app.git") == "git@ssh.osc-fr1.scalingo.com:app.git")
    }
}

struct KnownHostsTests {
    let key: [UInt8] = Array("ssh-ed25519-key-blob".utf8)
    let other: [UInt8] = Array("another-key-blob".utf8)

    func knownHosts(_ lines: String) throws -> KnownHosts {
        let scratch = try Scratch()
        let path = scratch.root + "/known_hosts"
        try scratch.write(lines, to: path)
        return KnownHosts(path: path)
    }

    func line(_ hosts: String, _ key: [UInt8], marker: String = "") -> String {
        "\(marker)\(hosts) ssh-ed25519 \(Data(key).base64EncodedString())\n"
    }

    @Test func matchesPlainPortAndWildcardEntries() throws {
        let file = try knownHosts(line("git.example.test,10.0.0.1", key) + line("[127.0.0.1]:2222", key) + line("*.scalingo.test,!evil.scalingo.test", key))
        #expect(file.verify(host: "git.example.test", port: 22, key: key) == .trusted)
        #expect(file.verify(host: "127.0.0.1", port: 2222, key: key) == .trusted)
        #expect(file.verify(host: "127.0.0.1", port: 22, key: key) == .unknown)
        #expect(file.verify(host: "ssh.scalingo.test", port: 22, key: key) == .trusted)
        #expect(file.verify(host: "evil.scalingo.test", port: 22, key: key) == .unknown)
        #expect(file.verify(host: "git.example.test", port: 22, key: other) == .changed(knownTypes: ["ssh-ed25519"]))
    }

    @Test func matchesHashedEntries() throws {
        // `|1|salt|HMAC-SHA1(salt, "[127.0.0.1]:2222")`, as `ssh-keygen -H` writes it.
        let salt: [UInt8] = Array(0..<20)
        let hash = hmacSHA1(key: salt, message: Array("[127.0.0.1]:2222".utf8))
        let hosts = "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())"
        let file = try knownHosts(line(hosts, key))
        #expect(file.verify(host: "127.0.0.1", port: 2222, key: key) == .trusted)
        #expect(file.verify(host: "127.0.0.2", port: 2222, key: key) == .unknown)
    }

    @Test func honoursRevokedKeys() throws {
        let file = try knownHosts(line("host.test", key) + line("host.test", key, marker: "@revoked "))
        #expect(file.verify(host: "host.test", port: 22, key: key) == .revoked)
    }
}

struct SHA1Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func matchesRFC2202() {
        #expect(hex(hmacSHA1(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
            == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(hex(hmacSHA1(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
            == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(hex(hmacSHA1(key: [UInt8](repeating: 0xaa, count: 80),
                             message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
            == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }
}
