import Foundation
import Git
@testable import ReleaseGuardian
import TestSupport
import Testing

/// Which credentials release-guardian offers, in what order, and what it says when a
/// connection fails: the policy `Git` carries out through its closures.
struct TransportPolicyTests {
    let scratch: Scratch
    let home: String

    init() throws {
        scratch = try Scratch()
        home = scratch.root + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
    }

    func policy(sshKey: String? = nil, _ environment: [String: String] = [:]) -> TransportPolicy {
        TransportPolicy(sshKey: sshKey, certificateAuthorities: nil, environment: environment, homeDirectory: home)
    }

    func request(_ url: String, user: String? = nil, _ allowed: CredentialTypes, attempt: Int = 0) -> CredentialRequest {
        CredentialRequest(url: url, usernameFromURL: user, allowed: allowed, attempt: attempt)
    }

    /// The names of what the policy offers on each attempt until it gives up.
    func offers(_ policy: TransportPolicy, _ url: String, user: String? = nil, _ allowed: CredentialTypes) -> [String] {
        var names: [String] = []
        while let credential = policy.credential(for: request(url, user: user, allowed, attempt: names.count)), names.count < 10 {
            names.append(credential.name)
        }
        return names
    }

    @Test func offersTheAgentThenTheDefaultKeysThatExistOnePerAttempt() throws {
        for name in ["id_rsa", "id_ed25519"] { try scratch.write("key", to: home + "/.ssh/" + name) }
        let url = "ssh://git@deploy.example.test/app.git"
        #expect(
            offers(policy(["SSH_AUTH_SOCK": "/tmp/agent"]), url, user: "git", .sshKey)
                == ["ssh-agent", home + "/.ssh/id_ed25519", home + "/.ssh/id_rsa"])
        #expect(offers(policy(), url, user: "git", .sshKey) == [home + "/.ssh/id_ed25519", home + "/.ssh/id_rsa"])
        // A configured key replaces the default ones.
        #expect(offers(policy(sshKey: "/keys/deploy", [:]), url, user: "git", .sshKey) == ["/keys/deploy"])
        #expect(
            offers(
                TransportPolicy(sshKey: nil, certificateAuthorities: nil, environment: [:], homeDirectory: scratch.root + "/nobody"),
                url, .sshKey
            ).isEmpty)
    }

    @Test func aKeyFileCarriesItsPublicHalfAndThePassphraseFromTheEnvironment() throws {
        try scratch.write("key", to: home + "/.ssh/id_ecdsa")
        try scratch.write("key.pub", to: home + "/.ssh/id_ecdsa.pub")
        let credential = try #require(
            policy(["RELEASE_GUARDIAN_SSH_PASSPHRASE": "open sesame"])
                .credential(for: request("ssh://deploy.example.test/app.git", .sshKey)))
        guard case .sshKeyFile(let user, let privateKey, let publicKey, let passphrase) = credential.kind else {
            Issue.record("\(credential)")
            return
        }
        #expect(user == "git" && privateKey == home + "/.ssh/id_ecdsa" && publicKey == home + "/.ssh/id_ecdsa.pub")
        #expect(passphrase == "open sesame")
        #expect(!"\(credential)".contains("open sesame"))
    }

    @Test func sendsTheTokenOnceAndOnlyOverHTTPS() throws {
        let environment = ["RELEASE_GUARDIAN_HTTPS_TOKEN": "s3cret", "RELEASE_GUARDIAN_HTTPS_USER": "deployer"]
        let https = try #require(policy(environment).credential(for: request("https://git.example.test/app.git", .userPassword)))
        guard case .userPassword(let user, let password) = https.kind else {
            Issue.record("\(https)")
            return
        }
        #expect(user == "deployer" && password == "s3cret")
        #expect(https.name == "the token in RELEASE_GUARDIAN_HTTPS_TOKEN")
        // The URL's user comes first.
        let named = try #require(
            policy(environment).credential(for: request("https://***@git.example.test/app.git", user: "ci", .userPassword)))
        guard case .userPassword(let urlUser, _) = named.kind else { return }
        #expect(urlUser == "ci")
        // Refused once: not offered again.
        #expect(policy(environment).credential(for: request("https://git.example.test/app.git", .userPassword, attempt: 1)) == nil)
        // Plain http, or any other scheme: never.
        #expect(policy(environment).credential(for: request("http://git.example.test/app.git", .userPassword)) == nil)
        #expect(policy(environment).credential(for: request("git://git.example.test/app.git", .userPassword)) == nil)
        // No token, or an empty one: nothing.
        #expect(policy().credential(for: request("https://git.example.test/app.git", .userPassword)) == nil)
        #expect(
            policy(["RELEASE_GUARDIAN_HTTPS_TOKEN": ""]).credential(for: request("https://git.example.test/app.git", .userPassword)) == nil)
    }

    @Test func answersAUserNameRequestWithTheURLsOrGit() throws {
        #expect(try #require(policy().credential(for: request("ssh://h/x", user: "deploy", .username))).name == "the user name deploy")
        #expect(try #require(policy().credential(for: request("ssh://h/x", .username))).name == "the user name git")
    }

    @Test func trustsOnlyAHostKeyInKnownHostsAndSaysHowToFixTheRest() throws {
        let key: [UInt8] = Array("ssh-ed25519-key-blob".utf8)
        try scratch.write("[127.0.0.1]:2222 ssh-ed25519 \(Data(key).base64EncodedString())\n", to: home + "/.ssh/known_hosts")
        let knownHosts = home + "/.ssh/known_hosts"
        guard case .trusted = policy().verdict(on: HostKey(host: "127.0.0.1", port: 2222, key: key)) else {
            Issue.record("the known key was refused")
            return
        }
        guard case .refused(let unknown) = policy().verdict(on: HostKey(host: "git.example.test", port: 22, key: key)) else {
            Issue.record("an unknown host was trusted")
            return
        }
        #expect(
            "\(unknown)"
                == "the SSH host key of git.example.test:22 is not in \(knownHosts), so the server cannot be trusted. Check its fingerprint with the provider, then add it: `ssh-keyscan git.example.test >> \(knownHosts)`."
        )
        guard case .refused(let changed) = policy().verdict(on: HostKey(host: "127.0.0.1", port: 2222, key: Array("other".utf8))) else {
            Issue.record("a changed key was trusted")
            return
        }
        #expect("\(changed)".contains("is not the one in \(knownHosts) (known: ssh-ed25519)"))
        #expect("\(changed)".contains("ssh-keygen -R '[127.0.0.1]:2222'"))
        // The refusal is what the Git error prints.
        #expect("\(RemoteError.hostKey(host: "git.example.test", port: 22, reason: unknown))" == "\(unknown)")
    }

    @Test func explainsAFailedConnectionWithWhatToDo() {
        let auth = RemoteError.authentication(
            url: "https://***@git.example.test/app.git", tried: ["the token in RELEASE_GUARDIAN_HTTPS_TOKEN"])
        #expect(
            TransportPolicy.explain(auth)
                == "https://***@git.example.test/app.git: authentication failed (tried the token in RELEASE_GUARDIAN_HTTPS_TOKEN). Load the deploy key into ssh-agent, put it in ~/.ssh, or for HTTPS set RELEASE_GUARDIAN_HTTPS_TOKEN."
        )
        #expect(
            TransportPolicy.explain(.authentication(url: "ssh://h/x", tried: [])).contains("tried nothing: no credential was available"))
        let certificate = RemoteError.certificate(host: "git.example.test", url: "https://git.example.test/app.git", problem: nil)
        #expect(
            TransportPolicy.explain(certificate)
                == "https://git.example.test/app.git: the TLS certificate of git.example.test is not trusted (not signed by a known authority, expired, or for another name). For a server with a private authority, give its PEM file as deploy.caFile in .release-guardian."
        )
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
        let file = try knownHosts(
            line("git.example.test,10.0.0.1", key) + line("[127.0.0.1]:2222", key) + line("*.scalingo.test,!evil.scalingo.test", key))
        #expect(file.verify(host: "git.example.test", port: 22, key: key) == .trusted)
        #expect(file.verify(host: "127.0.0.1", port: 2222, key: key) == .trusted)
        #expect(file.verify(host: "127.0.0.1", port: 22, key: key) == .unknown)
        #expect(file.verify(host: "ssh.scalingo.test", port: 22, key: key) == .trusted)
        #expect(file.verify(host: "evil.scalingo.test", port: 22, key: key) == .unknown)
        #expect(file.verify(host: "git.example.test", port: 22, key: other) == .changed(knownTypes: ["ssh-ed25519"]))
    }

    /// Host names hashed by OpenSSH's own `ssh-keygen -H` (`|1|salt|HMAC-SHA1(salt, name)`):
    /// seeded names, with and without ports, each found, and names beside them not.
    @Test func matchesEntriesHashedBySSHKeygen() throws {
        var random = SeededRandom(seed: 0x6B6E_6F77_6E)
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-")
        func name() -> (host: String, port: Int) {
            let host = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                String((0..<Int.random(in: 1...12, using: &random)).map { _ in random.pick(letters) })
            }.joined(separator: ".")
            return (host, random.chance(0.4) ? Int.random(in: 1...65535, using: &random) : 22)
        }
        let listed = (0..<60).map { _ in name() }
        let scratch = try Scratch()
        let path = scratch.root + "/known_hosts"
        try scratch.write(listed.map { line($0.port == 22 ? $0.host : "[\($0.host)]:\($0.port)", key) }.joined(), to: path)
        let hash = try scratch.run("/usr/bin/ssh-keygen", ["-H", "-f", path], in: scratch.root)
        #expect(hash.status == 0, "\(hash.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("|1|") }, "seed \(random.seed): \(text)")
        let file = KnownHosts(path: path)
        for entry in listed {
            #expect(file.verify(host: entry.host, port: entry.port, key: key) == .trusted, "seed \(random.seed): \(entry)")
            #expect(file.verify(host: entry.host, port: entry.port, key: other) == .changed(knownTypes: ["ssh-ed25519"]))
            #expect(file.verify(host: entry.host + "x", port: entry.port, key: key) == .unknown, "seed \(random.seed): \(entry)")
            #expect(
                file.verify(host: entry.host, port: entry.port == 22 ? 2222 : 22, key: key) == .unknown, "seed \(random.seed): \(entry)")
        }
    }

    @Test func honoursRevokedKeys() throws {
        let file = try knownHosts(line("host.test", key) + line("host.test", key, marker: "@revoked "))
        #expect(file.verify(host: "host.test", port: 22, key: key) == .revoked)
    }
}
