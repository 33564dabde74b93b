import Foundation
import Git

/// How release-guardian reaches deploy remotes: which credentials it offers and in what order,
/// which SSH host keys it trusts, and what it advises when either fails. `Git` carries these
/// decisions out through the closures of `TransportOptions` (as Cargo decides for git2-rs).
struct TransportPolicy: Sendable {
    /// The passphrase of a protected SSH key.
    static let passphraseVariable = "RELEASE_GUARDIAN_SSH_PASSPHRASE"
    /// The token for HTTPS remotes, and its user when the URL names none.
    static let tokenVariable = "RELEASE_GUARDIAN_HTTPS_TOKEN"
    static let tokenUserVariable = "RELEASE_GUARDIAN_HTTPS_USER"
    /// In CI, where there is no `~/.ssh`: the deploy key's text (as CI secrets hold it), used from
    /// memory and never written to a file another job could read, and the known_hosts lines.
    static let keyVariable = "RELEASE_GUARDIAN_SSH_KEY"
    static let knownHostsVariable = "RELEASE_GUARDIAN_KNOWN_HOSTS"

    /// A private key to use instead of the default keys (`deploy.sshKey`).
    var sshKey: String?
    /// PEM certificate authorities for HTTPS remotes instead of the system's (`deploy.caFile`).
    var certificateAuthorities: String?
    /// Home of `.ssh/known_hosts` and the default keys.
    var homeDirectory: String
    /// The process environment: the variables above and `SSH_AUTH_SOCK`.
    var environment: [String: String]

    init(sshKey: String?, certificateAuthorities: String?, environment: [String: String], homeDirectory: String? = nil) {
        self.sshKey = sshKey
        self.certificateAuthorities = certificateAuthorities
        self.environment = environment
        self.homeDirectory = homeDirectory ?? environment["HOME"] ?? "/"
    }

    /// The policy for a repository's deploy remotes: its `deploy.` settings and this process's
    /// environment.
    init(settings: Settings, environment: [String: String]) {
        self.init(sshKey: settings.deploySSHKey, certificateAuthorities: settings.deployCAFile, environment: environment)
    }

    var knownHostsPath: String { homeDirectory + "/.ssh/known_hosts" }

    /// The options that carry this policy out; `progress` gets short progress lines.
    func options(progress: (@Sendable (String) -> Void)? = nil) -> TransportOptions {
        let policy = self
        return TransportOptions(
            credentials: { policy.credential(for: $0) }, hostKey: { policy.verdict(on: $0) },
            certificateAuthorities: certificateAuthorities, progress: progress)
    }

    // MARK: Credentials

    /// SSH: the agent when one runs, then `deploy.sshKey`, else the default keys that exist, one
    /// per attempt. HTTPS: the token from the environment, once, and only over https (over
    /// plain http or any other scheme it would travel in clear).
    func credential(for request: CredentialRequest) -> Credential? {
        if request.allowed.contains(.sshKey) {
            let user = request.usernameFromURL ?? "git"
            let candidates = sshKeyCandidates()
            guard request.attempt < candidates.count else { return nil }
            let candidate = candidates[request.attempt]
            if candidate == "ssh-agent" { return .sshAgent(user: user) }
            if candidate == Self.keyVariable, let key = environment[Self.keyVariable] {
                return .sshKeyMemory(
                    user: user, privateKey: key.hasSuffix("\n") ? key : key + "\n", passphrase: environment[Self.passphraseVariable],
                    name: "the key in \(Self.keyVariable)")
            }
            let publicKey = FileManager.default.fileExists(atPath: candidate + ".pub") ? candidate + ".pub" : nil
            return .sshKeyFile(user: user, privateKey: candidate, publicKey: publicKey, passphrase: environment[Self.passphraseVariable])
        }
        if request.allowed.contains(.userPassword) {
            guard request.attempt == 0, request.url.lowercased().hasPrefix("https://"),
                let token = environment[Self.tokenVariable], !token.isEmpty
            else { return nil }
            let user = request.usernameFromURL ?? environment[Self.tokenUserVariable] ?? "git"
            return .userPassword(user: user, password: token, name: "the token in \(Self.tokenVariable)")
        }
        if request.allowed.contains(.username) {
            return .username(request.usernameFromURL ?? "git")
        }
        return nil
    }

    /// The key in the environment (CI), the agent when one runs, then a configured key, else the
    /// default keys that exist.
    func sshKeyCandidates() -> [String] {
        var candidates: [String] = []
        if let key = environment[Self.keyVariable], !key.isEmpty { candidates.append(Self.keyVariable) }
        if let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty { candidates.append("ssh-agent") }
        if let sshKey {
            candidates.append(sshKey)
        } else {
            for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
                let path = homeDirectory + "/.ssh/" + name
                if FileManager.default.fileExists(atPath: path) { candidates.append(path) }
            }
        }
        return candidates
    }

    // MARK: Host keys

    /// Trusted when `~/.ssh/known_hosts` holds this key for the host (libgit2 1.5 would accept
    /// any key unless told otherwise).
    func verdict(on hostKey: HostKey) -> HostKeyVerdict {
        // In CI the known hosts come from the environment (a secret variable), else the file.
        let knownHosts =
            environment[Self.knownHostsVariable].flatMap { $0.isEmpty ? nil : KnownHosts(text: $0, path: Self.knownHostsVariable) }
            ?? KnownHosts(path: knownHostsPath)
        let verdict = knownHosts.verify(host: hostKey.host, port: hostKey.port, key: hostKey.key)
        if verdict == .trusted { return .trusted }
        return .refused(HostKeyRefusal(host: hostKey.host, port: hostKey.port, verdict: verdict, knownHosts: knownHosts.path))
    }

    // MARK: Advice

    /// A failed connection, with what to do about it.
    static func explain(_ error: RemoteError) -> String {
        switch error {
        case .certificate:
            "\(error) For a server with a private authority, give its PEM file as deploy.caFile in .release-guardian."
        case .authentication:
            "\(error) Load the deploy key into ssh-agent, put it in ~/.ssh, or for HTTPS set \(tokenVariable)."
        default:
            "\(error)"
        }
    }
}

/// Why a server's SSH host key is not trusted, with the commands that fix it.
struct HostKeyRefusal: Error, CustomStringConvertible {
    let host: String
    let port: Int
    let verdict: KnownHosts.Verdict
    let knownHosts: String

    var description: String {
        let scan = port == 22 ? "ssh-keyscan \(shellQuoted(host))" : "ssh-keyscan -p \(port) \(shellQuoted(host))"
        if knownHosts == TransportPolicy.knownHostsVariable, verdict != .trusted {
            return
                "the SSH host key of \(host):\(port) is not trusted by the lines in \(knownHosts) (\(verdict == .unknown ? "no line for it" : "another key, or revoked")). Check its fingerprint with the provider, then put what `\(scan)` prints in that CI variable."
        }
        switch verdict {
        case .unknown:
            return
                "the SSH host key of \(host):\(port) is not in \(knownHosts), so the server cannot be trusted. Check its fingerprint with the provider, then add it: `\(scan) >> \(shellQuoted(knownHosts))`."
        case .changed(let types):
            return
                "the SSH host key of \(host):\(port) is not the one in \(knownHosts) (known: \(types.joined(separator: ", "))): the key changed, or someone is in the middle. Confirm the new key with the provider, then replace the line (`ssh-keygen -R \(shellQuoted(port == 22 ? host : "[\(host)]:\(port)")) -f \(shellQuoted(knownHosts))` and `\(scan) >> \(shellQuoted(knownHosts))`)."
        case .revoked:
            return "the SSH host key of \(host):\(port) is marked @revoked in \(knownHosts)."
        case .trusted:
            return "the SSH host key of \(host):\(port) is trusted"
        }
    }
}
