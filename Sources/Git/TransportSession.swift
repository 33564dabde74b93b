import CLibGit2
import Foundation

/// The state libgit2's callbacks share during one network operation. Errors never cross a C
/// frame: a callback stores its error here and returns GIT_EUSER; `check` rethrows it.
final class TransportSession {
    let endpoint: Endpoint
    let options: TransportOptions
    let displayURL: String
    /// The URL's credentials, to scrub from libgit2's messages.
    let secrets: [String]
    var failure: RemoteError?
    var lease: [String: ObjectID?] = [:]
    var rejected: [String: String] = [:]
    /// Credentials offered so far, to stop when all were refused (libgit2 asks again).
    var triedCredentials: [String] = []

    /// Whether the URL is https: the only scheme a token is sent over.
    let isHTTPS: Bool

    init(endpoint: Endpoint, options: TransportOptions, url: String) {
        isHTTPS = url.lowercased().hasPrefix("https://")
        self.endpoint = endpoint
        self.options = options
        displayURL = redacted(url)
        secrets = Git.secrets(in: url)
        if let authorities = options.certificateAuthorities { _ = rg_libgit2_set_ssl_cert_file(authorities) }
    }

    /// Rethrows a callback's error, else maps a libgit2 failure.
    func check(_ rc: Int32, _ function: StaticString) throws(RemoteError) {
        if let failure { throw failure }
        do {
            try CLibGit2Check(rc, function)
        } catch {
            if error.code == .auth { throw .authentication(url: displayURL, tried: triedCredentials) }
            let message = redacted(error.message, alsoHiding: secrets)
            throw .git(url: displayURL, GitError(code: error.code, message: message, function: error.function))
        }
    }

    /// Callbacks wired to this session; it must outlive the operation (`withExtendedLifetime`).
    func callbacks() -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, url, usernameFromURL, allowedTypes, payload in
            TransportSession.from(payload).credential(out, usernameFromURL.map { String(cString: $0) }, allowedTypes)
        }
        callbacks.certificate_check = { certificate, valid, host, payload in
            TransportSession.from(payload).checkCertificate(certificate, valid: valid, host: host.map { String(cString: $0) } ?? "")
        }
        callbacks.push_negotiation = { updates, count, payload in
            TransportSession.from(payload).negotiate(updates, count)
        }
        callbacks.push_update_reference = { refname, status, payload in
            if let refname, let status {
                TransportSession.from(payload).rejected[String(cString: refname)] = String(cString: status)
            }
            return 0
        }
        if options.progress != nil {
            callbacks.transfer_progress = { stats, payload in
                guard let stats = stats?.pointee, stats.total_objects > 0 else { return 0 }
                TransportSession.from(payload).options.progress?("Receiving objects: \(stats.received_objects)/\(stats.total_objects)")
                return 0
            }
        }
        return callbacks
    }

    static func from(_ payload: UnsafeMutableRawPointer?) -> TransportSession {
        Unmanaged<TransportSession>.fromOpaque(payload!).takeUnretainedValue()
    }

    // MARK: Callbacks

    private func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, _ usernameFromURL: String?,
                            _ allowed: UInt32) -> Int32 {
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            let user = usernameFromURL ?? "git"
            let candidates = sshKeyCandidates()
            guard triedCredentials.count < candidates.count else {
                failure = .authentication(url: displayURL, tried: triedCredentials)
                return GIT_EUSER.rawValue
            }
            let candidate = candidates[triedCredentials.count]
            triedCredentials.append(candidate)
            if candidate == "ssh-agent" { return git_credential_ssh_key_from_agent(out, user) }
            let publicKey = FileManager.default.fileExists(atPath: candidate + ".pub") ? candidate + ".pub" : nil
            let passphrase = ProcessEnvironment.value("RELEASE_GUARDIAN_SSH_PASSPHRASE")
            return git_credential_ssh_key_new(out, user, publicKey, candidate, passphrase)
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
            // Never over plain http (or to any other scheme): the token would travel in clear.
            guard triedCredentials.isEmpty, isHTTPS, let token = ProcessEnvironment.value("RELEASE_GUARDIAN_HTTPS_TOKEN"), !token.isEmpty else {
                failure = .authentication(url: displayURL, tried: triedCredentials)
                return GIT_EUSER.rawValue
            }
            triedCredentials.append("the token in RELEASE_GUARDIAN_HTTPS_TOKEN")
            let user = usernameFromURL ?? ProcessEnvironment.value("RELEASE_GUARDIAN_HTTPS_USER") ?? "git"
            return git_credential_userpass_plaintext_new(out, user, token)
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, usernameFromURL ?? "git")
        }
        failure = .authentication(url: displayURL, tried: triedCredentials)
        return GIT_EUSER.rawValue
    }

    /// The agent when one runs, then a configured key, else the default keys that exist.
    private func sshKeyCandidates() -> [String] {
        var candidates: [String] = []
        if let socket = ProcessEnvironment.value("SSH_AUTH_SOCK"), !socket.isEmpty { candidates.append("ssh-agent") }
        if let key = options.sshKey {
            candidates.append(key)
        } else {
            for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
                let path = options.homeDirectory + "/.ssh/" + name
                if FileManager.default.fileExists(atPath: path) { candidates.append(path) }
            }
        }
        return candidates
    }

    private func checkCertificate(_ certificate: UnsafeMutablePointer<git_cert>?, valid: Int32, host: String) -> Int32 {
        guard let certificate, certificate.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            // TLS: libgit2's own verdict, stated explicitly (libgit2 1.5 treats a positive
            // "pass-through" answer as acceptance, which would let any certificate in).
            if valid != 0 { return 0 }
            failure = .certificate(host: host, url: displayURL)
            return GIT_ECERTIFICATE.rawValue
        }
        let hostKey = UnsafeMutableRawPointer(certificate).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        let port = endpoint.port == 0 ? 22 : endpoint.port
        guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
            failure = .hostKey(host: host, port: port, verdict: .unknown, knownHosts: options.knownHostsPath)
            return GIT_ECERTIFICATE.rawValue
        }
        let key = Array(UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
        let verdict = KnownHosts(path: options.knownHostsPath).verify(host: host, port: port, key: key)
        guard verdict == .trusted else {
            failure = .hostKey(host: host, port: port, verdict: verdict, knownHosts: options.knownHostsPath)
            return GIT_ECERTIFICATE.rawValue
        }
        return 0
    }

    private func negotiate(_ updates: UnsafeMutablePointer<UnsafePointer<git_push_update>?>?, _ count: Int) -> Int32 {
        for index in 0..<count {
            guard let update = updates?[index]?.pointee, let name = update.dst_refname else { continue }
            let ref = String(cString: name)
            guard let expected = lease[ref] else { continue }
            let current = ObjectID(update.src)
            let found: ObjectID? = current.isZero ? nil : current
            if found != expected {
                failure = .leaseBroken(ref: ref, expected: expected, found: found)
                return GIT_EUSER.rawValue
            }
        }
        return 0
    }
}

/// `check` under another name, for use where `check` is a method.
func CLibGit2Check(_ rc: Int32, _ function: StaticString) throws(GitError) {
    try check(rc, function)
}
