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

    func options() -> TransportOptions { TransportOptions() }

    /// The scratch user's key, offered once, and the sshd's own host key trusted: what a caller's
    /// closures decide; here only that libgit2 is handed them.
    func sshOptions(_ sshd: SSHServer) throws -> TransportOptions {
        let trusted = try hostKey(of: sshd)
        let key = scratch.root + "/home/.ssh/id_ed25519"
        return TransportOptions(
            credentials: { request in
                if request.allowed.contains(.sshKey) {
                    return request.attempt == 0
                        ? .sshKeyFile(user: request.usernameFromURL ?? "git", privateKey: key, publicKey: key + ".pub", passphrase: nil)
                        : nil
                }
                return request.allowed.contains(.username) ? .username(request.usernameFromURL ?? "git") : nil
            },
            hostKey: { $0.key == trusted ? .trusted : .refused(Untrusted()) })
    }

    /// The raw host key blob sshd sends, from its public key file.
    func hostKey(of sshd: SSHServer) throws -> [UInt8] {
        let fields = try String(contentsOfFile: sshd.hostPublicKeyFile, encoding: .utf8).split(separator: " ")
        return Array(try #require(Data(base64Encoded: String(fields[1]))))
    }

    struct Untrusted: Error {}

    /// What the closures were asked, across libgit2's threads of control.
    final class Asked: @unchecked Sendable {
        private let lock = NSLock()
        private var requests: [CredentialRequest] = []
        private var keys: [HostKey] = []
        func add(_ request: CredentialRequest) { lock.withLock { requests.append(request) } }
        func add(_ key: HostKey) { lock.withLock { keys.append(key) } }
        var credentialRequests: [CredentialRequest] { lock.withLock { requests } }
        var hostKeys: [HostKey] { lock.withLock { keys } }
    }

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
        let options = try sshOptions(sshd)
        let path = try scratch.deployRemote(at: scratch.root + "/ssh-prod.git", running: "HEAD~1", from: work)
        let remote = try Remote(sshd.url(path), in: Repository.open(at: work))
        do {
            try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: ["refs/heads/master": second], options: options)
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
        try remote.push(["+refs/heads/candidate:refs/heads/master"], lease: ["refs/heads/master": first], options: options)
        #expect(try head(path) == second.hex)
    }

    @Test func aRefusedHostKeyEndsTheConnectionBeforeAnyCredential() throws {
        let sshd = try SSHServer(scratch: scratch)
        let key = try hostKey(of: sshd)
        let asked = Asked()
        let options = TransportOptions(
            credentials: {
                asked.add($0); return nil
            },
            hostKey: {
                asked.add($0); return .refused(Untrusted())
            })
        let remote = try Remote(sshd.url(scratch.root + "/none.git"), in: Repository.open(at: work))
        do {
            _ = try remote.heads(options: options)
            Issue.record("an untrusted host was read")
        } catch {
            guard case .hostKey(let host, let port, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(host == "127.0.0.1" && port == sshd.port && reason is Untrusted)
        }
        #expect(asked.hostKeys.map(\.key) == [key])
        #expect(asked.credentialRequests.isEmpty)
    }

    @Test func namesEveryCredentialOfferedWhenAllAreRefused() throws {
        let sshd = try SSHServer(scratch: scratch)
        let trusted = try hostKey(of: sshd)
        let stranger = scratch.root + "/stranger_ed25519"
        _ = try scratch.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger], in: scratch.root)
        let asked = Asked()
        let options = TransportOptions(
            credentials: { request in
                asked.add(request)
                guard request.allowed.contains(.sshKey) else { return .username(request.usernameFromURL ?? "git") }
                return request.attempt < 2
                    ? .sshKeyFile(user: request.usernameFromURL ?? "git", privateKey: stranger, publicKey: nil, passphrase: "pass phrase")
                    : nil
            },
            hostKey: { $0.key == trusted ? .trusted : .refused(Untrusted()) })
        let remote = try Remote(sshd.url(scratch.root + "/none.git"), in: Repository.open(at: work))
        do {
            _ = try remote.heads(options: options)
            Issue.record("a stranger's key was let in")
        } catch {
            guard case .authentication(let url, let tried) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(url == sshd.url(scratch.root + "/none.git"))
            #expect(tried == [stranger, stranger])
            #expect(!"\(error)".contains("pass phrase"))
        }
        let keyRequests = asked.credentialRequests.filter { $0.allowed.contains(.sshKey) }
        #expect(keyRequests.map(\.attempt) == [0, 1, 2])
        #expect(keyRequests.allSatisfy { $0.usernameFromURL == NSUserName() })
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
