import CLibGit2

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
    /// The host whose TLS certificate libgit2 did not verify.
    var untrustedCertificateHost: String?
    /// The names of the credentials offered so far (libgit2 asks again after each refusal).
    var triedCredentials: [String] = []
    /// Set: the connection goes through a subtransport that reads the ref advertisement itself.
    var capture: AdvertisementCapture?

    init(endpoint: Endpoint, options: TransportOptions, url: String) {
        self.endpoint = endpoint
        self.options = options
        displayURL = redacted(url)
        secrets = Git.secrets(in: url)
        if let authorities = options.certificateAuthorities { _ = rg_libgit2_set_ssl_cert_file(authorities) }
    }

    /// Rethrows a callback's error, else maps a libgit2 failure.
    func check(_ rc: Int32, _ function: StaticString) throws(RemoteError) {
        flushRemoteMessage()
        if let failure { throw failure }
        do {
            try CLibGit2Check(rc, function)
        } catch {
            if error.code == .auth { throw .authentication(url: displayURL, tried: triedCredentials) }
            let message = redacted(error.message, alsoHiding: secrets)
            if let host = untrustedCertificateHost { throw .certificate(host: host, url: displayURL, problem: message) }
            throw .git(url: displayURL, GitError(code: error.code, message: message, function: error.function))
        }
    }

    /// Callbacks wired to this session; it must outlive the operation (`withExtendedLifetime`).
    func callbacks() -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        if capture != nil { callbacks.transport = CapturingSubtransport.transport }
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
        if options.remoteMessage != nil {
            callbacks.sideband_progress = { text, length, payload in
                guard let text, length > 0 else { return 0 }
                TransportSession.from(payload).receive(UnsafeRawBufferPointer(start: text, count: Int(length)))
                return 0
            }
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

    /// The server's sideband text arrives in chunks: whole lines are handed on (a line ends
    /// with LF, or CR when a progress meter redraws itself), the rest waits for the next chunk.
    private var pendingMessage: [UInt8] = []

    private func receive(_ chunk: UnsafeRawBufferPointer) {
        for byte in chunk {
            if byte == 0x0A || byte == 0x0D { flushRemoteMessage() } else { pendingMessage.append(byte) }
        }
    }

    private func flushRemoteMessage() {
        defer { pendingMessage = [] }
        let line = String(decoding: pendingMessage, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else { return }
        options.remoteMessage?(redacted(line, alsoHiding: secrets))
    }

    static func from(_ payload: UnsafeMutableRawPointer?) -> TransportSession {
        Unmanaged<TransportSession>.fromOpaque(payload!).takeUnretainedValue()
    }

    // MARK: Callbacks

    /// Asks the caller's closure, and hands libgit2 what it chose; nil (or a kind the server
    /// does not take) ends the operation with what was offered so far.
    private func credential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, _ usernameFromURL: String?,
        _ allowed: UInt32
    ) -> Int32 {
        let allowed = CredentialTypes(rawValue: allowed)
        let request = CredentialRequest(
            url: displayURL, usernameFromURL: usernameFromURL, allowed: allowed, attempt: triedCredentials.count)
        guard let credential = options.credentials(request), allowed.contains(credential.type) else {
            failure = .authentication(url: displayURL, tried: triedCredentials)
            return GIT_EUSER.rawValue
        }
        switch credential.kind {
        case .sshKeyFile(let user, let privateKey, let publicKey, let passphrase):
            triedCredentials.append(credential.name)
            return git_credential_ssh_key_new(out, user, publicKey, privateKey, passphrase)
        case .sshKeyMemory(let user, let privateKey, let passphrase):
            triedCredentials.append(credential.name)
            return git_credential_ssh_key_memory_new(out, user, nil, privateKey, passphrase)
        case .sshAgent(let user):
            triedCredentials.append(credential.name)
            return git_credential_ssh_key_from_agent(out, user)
        case .userPassword(let user, let password):
            triedCredentials.append(credential.name)
            return git_credential_userpass_plaintext_new(out, user, password)
        case .username(let user):
            return git_credential_username_new(out, user)
        }
    }

    private func checkCertificate(_ certificate: UnsafeMutablePointer<git_cert>?, valid: Int32, host: String) -> Int32 {
        guard let certificate, certificate.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            // TLS: libgit2's own verdict, stated explicitly (libgit2 1.5 takes any positive
            // answer as acceptance). An invalid certificate is refused with GIT_PASSTHROUGH,
            // on which libgit2 restores its own error: the TLS library's reason (expired, no
            // trusted authority…), which `check` reports.
            if valid != 0 { return 0 }
            untrustedCertificateHost = host
            return GIT_PASSTHROUGH.rawValue
        }
        let hostKey = UnsafeMutableRawPointer(certificate).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        let port = endpoint.port == 0 ? 22 : endpoint.port
        guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
            failure = .hostKey(host: host, port: port, reason: HostKeyUnreadable(host: host, port: port))
            return GIT_ECERTIFICATE.rawValue
        }
        let key = Array(UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
        switch options.hostKey(HostKey(host: host, port: port, key: key)) {
        case .trusted:
            return 0
        case .refused(let reason):
            failure = .hostKey(host: host, port: port, reason: reason)
            return GIT_ECERTIFICATE.rawValue
        }
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
