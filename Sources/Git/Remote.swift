import CLibGit2
import Foundation

/// How to reach remotes: where the user's SSH files are, which key to use, progress.
public struct TransportOptions: Sendable {
    /// Home of `.ssh/known_hosts` and the default keys (`$HOME`).
    public var homeDirectory: String
    /// A private key to use instead of the agent and the default keys.
    public var sshKey: String?
    /// Called with short progress lines (only set on a terminal).
    public var progress: (@Sendable (String) -> Void)?
    /// A PEM file of the certificate authorities to trust for HTTPS remotes instead of the
    /// system's (a self-hosted server with a private CA).
    public var certificateAuthorities: String?

    public init(homeDirectory: String? = nil, sshKey: String? = nil, certificateAuthorities: String? = nil,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.homeDirectory = homeDirectory ?? ProcessEnvironment.value("HOME") ?? "/"
        self.sshKey = sshKey
        self.certificateAuthorities = certificateAuthorities
        self.progress = progress
    }

    var knownHostsPath: String { homeDirectory + "/.ssh/known_hosts" }
}

/// A remote head: a ref the remote advertises and its object.
public struct RemoteHead: Equatable, Sendable {
    public let name: String
    public let id: ObjectID
}

/// Why talking to a remote failed. Each case says what to do.
public enum RemoteError: Error, CustomStringConvertible, Sendable {
    case git(url: String, GitError)
    case hostKey(host: String, port: Int, verdict: KnownHosts.Verdict, knownHosts: String)
    case certificate(host: String, url: String)
    case authentication(url: String, tried: [String])
    /// The lease: the remote ref is not what was planned, so nothing was pushed.
    case leaseBroken(ref: String, expected: ObjectID?, found: ObjectID?)
    /// The server refused some refs (a push returns 0 even then).
    case rejected(url: String, [String: String])

    public var description: String {
        switch self {
        case .git(let url, let error):
            return "\(url): \(error.message)"  // the message was scrubbed of credentials when made
        case .hostKey(let host, let port, let verdict, let knownHosts):
            let scan = port == 22 ? "ssh-keyscan \(shellQuoted(host))" : "ssh-keyscan -p \(port) \(shellQuoted(host))"
            switch verdict {
            case .unknown:
                return "the SSH host key of \(host):\(port) is not in \(knownHosts), so the server cannot be trusted. Check its fingerprint with the provider, then add it: `\(scan) >> \(shellQuoted(knownHosts))`."
            case .changed(let types):
                return "the SSH host key of \(host):\(port) is not the one in \(knownHosts) (known: \(types.joined(separator: ", "))): the key changed, or someone is in the middle. Confirm the new key with the provider, then replace the line (`ssh-keygen -R \(shellQuoted(port == 22 ? host : "[\(host)]:\(port)")) -f \(shellQuoted(knownHosts))` and `\(scan) >> \(shellQuoted(knownHosts))`)."
            case .revoked:
                return "the SSH host key of \(host):\(port) is marked @revoked in \(knownHosts)."
            case .trusted:
                return "the SSH host key of \(host):\(port) is trusted"
            }
        case .certificate(let host, let url):
            return "\(url): the TLS certificate of \(host) is not trusted (not signed by a known authority, expired, or for another name). For a server with a private authority, give its PEM file as deploy.caFile in .release-guardian."
        case .authentication(let url, let tried):
            return "\(url): authentication failed (tried \(tried.isEmpty ? "nothing: no credential was available" : tried.joined(separator: ", "))). Load the deploy key into ssh-agent, put it in ~/.ssh, or for HTTPS set RELEASE_GUARDIAN_HTTPS_TOKEN."
        case .leaseBroken(let ref, let expected, let found):
            return "\(ref) is at \(found?.short ?? "nothing") on the remote, not \(expected?.short ?? "nothing") as planned: someone else pushed meanwhile. Nothing was pushed there; look at what changed, then plan again."
        case .rejected(let url, let refs):
            return "\(url) refused " + refs.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        }
    }
}

/// A remote of a repository, by configured name or by URL.
public final class Remote {
    let handle: OpaquePointer
    let repository: Repository
    /// The URL, credentials removed, for messages.
    public var displayURL: String { redacted(url) }
    let url: String
    let endpoint: Endpoint

    deinit {
        git_remote_free(handle)
    }

    /// `nameOrURL` is a remote configured in the repository, or else a URL.
    public init(_ nameOrURL: String, in repository: Repository) throws(GitError) {
        var out: OpaquePointer?
        if git_remote_lookup(&out, repository.handle, nameOrURL) == 0 {
            handle = out!
        } else {
            git_error_clear()
            try check(git_remote_create_anonymous(&out, repository.handle, nameOrURL), "git_remote_create_anonymous")
            handle = out!
        }
        self.repository = repository
        url = git_remote_url(handle).map { String(cString: $0) } ?? nameOrURL
        endpoint = Endpoint(url: url)
    }

    /// The same remote (its URL), seen from another repository.
    public convenience init(sameAs remote: Remote, in repository: Repository) throws(GitError) {
        try self.init(remote.url, in: repository)
    }

    /// The refs the remote advertises.
    public func heads(options: TransportOptions) throws(RemoteError) -> [RemoteHead] {
        let session = TransportSession(endpoint: endpoint, options: options, url: url)
        var callbacks = session.callbacks()
        var proxy = git_proxy_options()
        git_proxy_options_init(&proxy, UInt32(GIT_PROXY_OPTIONS_VERSION))
        let rc = withExtendedLifetime(session) { git_remote_connect(handle, GIT_DIRECTION_FETCH, &callbacks, &proxy, nil) }
        try session.check(rc, "git_remote_connect")
        defer { git_remote_disconnect(handle) }
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try session.check(git_remote_ls(&heads, &count, handle), "git_remote_ls")
        return (0..<count).compactMap { index in
            guard let head = heads?[index]?.pointee, let name = head.name else { return nil }
            return RemoteHead(name: String(cString: name), id: ObjectID(head.oid))
        }
    }

    /// Fetches `refspecs` (the remote's configured ones when empty), optionally with every tag
    /// and pruning remote-tracking refs that are gone.
    public func fetch(_ refspecs: [String] = [], tags: Bool = false, prune: Bool = false, options: TransportOptions) throws(RemoteError) {
        let session = TransportSession(endpoint: endpoint, options: options, url: url)
        var fetchOptions = git_fetch_options()
        git_fetch_options_init(&fetchOptions, UInt32(GIT_FETCH_OPTIONS_VERSION))
        fetchOptions.callbacks = session.callbacks()
        if tags { fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL }
        if prune { fetchOptions.prune = GIT_FETCH_PRUNE }
        let rc = withStringArray(refspecs) { array in
            withExtendedLifetime(session) { git_remote_fetch(handle, refspecs.isEmpty ? nil : array, &fetchOptions, "release-guardian: fetch") }
        }
        try session.check(rc, "git_remote_fetch")
    }

    /// Pushes `refspecs` (`[+]<local ref>:<remote ref>`). `lease` maps remote refs to the value
    /// they must have (nil: must not exist); a mismatch aborts the push before anything is sent.
    /// A ref the server refuses is an error too, although libgit2 reports success.
    public func push(_ refspecs: [String], lease: [String: ObjectID?], options: TransportOptions) throws(RemoteError) {
        let session = TransportSession(endpoint: endpoint, options: options, url: url)
        session.lease = lease
        var pushOptions = git_push_options()
        git_push_options_init(&pushOptions, UInt32(GIT_PUSH_OPTIONS_VERSION))
        pushOptions.callbacks = session.callbacks()
        let rc = withStringArray(refspecs) { array in
            withExtendedLifetime(session) { git_remote_push(handle, array, &pushOptions) }
        }
        try session.check(rc, "git_remote_push")
        if !session.rejected.isEmpty { throw .rejected(url: displayURL, session.rejected) }
    }
}

/// Host and port of a URL, for known_hosts.
struct Endpoint: Sendable {
    let isSSH: Bool
    let host: String
    let port: Int

    init(url: String) {
        if let schemeEnd = url.range(of: "://") {
            let scheme = url[..<schemeEnd.lowerBound]
            isSSH = scheme == "ssh" || scheme == "ssh+git" || scheme == "git+ssh"
            var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                port = Int(authority[close...].dropFirst(2)) ?? 22
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                port = Int(authority[authority.index(after: colon)...]) ?? 22
            } else {
                host = String(authority)
                port = scheme.contains("ssh") ? 22 : 0
            }
        } else if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") {
            // scp-like `user@host:path`
            isSSH = true
            let authority = url[..<colon]
            host = String(authority.split(separator: "@").last ?? authority)
            port = 22
        } else {
            isSSH = false
            host = ""
            port = 0
        }
    }
}

func withStringArray<T>(_ strings: [String], _ body: (UnsafeMutablePointer<git_strarray>) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
        return body(&array)
    }
}
