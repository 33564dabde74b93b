import CLibGit2
import Foundation

/// A remote head: a ref the remote advertises and its object.
public struct RemoteHead: Equatable, Sendable {
    public let name: String
    public let id: ObjectID
}

/// Why talking to a remote failed: the facts (which URL, host, credentials, refs). What to do
/// about it is the caller's to say; its own words come back only through `hostKey`'s reason.
public enum RemoteError: Error, CustomStringConvertible, Sendable {
    case git(url: String, GitError)
    /// The host-key closure refused the server's key, for `reason`.
    case hostKey(host: String, port: Int, reason: any Error)
    /// libgit2 did not verify the TLS certificate; `problem` is the TLS library's reason, when
    /// it gave one.
    case certificate(host: String, url: String, problem: String?)
    /// Every credential offered (named in `tried`, in order) was refused, or none was offered.
    case authentication(url: String, tried: [String])
    /// The lease: the remote ref is not what was planned, so nothing was pushed.
    case leaseBroken(ref: String, expected: ObjectID?, found: ObjectID?)
    /// The server refused some refs (a push returns 0 even then).
    case rejected(url: String, [String: String])

    public var description: String {
        switch self {
        case .git(let url, let error):
            return "\(url): \(error.message)"  // the message was scrubbed of credentials when made
        case .hostKey(_, _, let reason):
            return "\(reason)"
        case .certificate(let host, let url, let problem):
            return
                "\(url): the TLS certificate of \(host) is not trusted (\(problem ?? "not signed by a known authority, expired, or for another name"))."
        case .authentication(let url, let tried):
            return
                "\(url): authentication failed (tried \(tried.isEmpty ? "nothing: no credential was available" : tried.joined(separator: ", ")))."
        case .leaseBroken(let ref, let expected, let found):
            return
                "\(ref) is at \(found?.short ?? "nothing") on the remote, not \(expected?.short ?? "nothing") as planned: someone else pushed meanwhile. Nothing was pushed there; look at what changed, then plan again."
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

    /// The refs the remote advertises, peeled values included (`git_remote_ls`).
    public func heads(options: TransportOptions) throws(RemoteError) -> [RemoteHead] {
        try advertisedRefs(options: options).heads
    }

    /// The refs the remote advertises, read in place (`RefAdvertisement`): over git, ssh and http
    /// the advertisement is read by this module, not parsed line by line by libgit2.
    ///
    /// `each` is called with every ref (as `RefAdvertisement.forEach`), over git, ssh and http as
    /// it arrives: what the caller does with it is done while the server sends the rest.
    @discardableResult
    public func advertisedRefs(
        options: TransportOptions, each: (_ name: UnsafeBufferPointer<UInt8>, _ id: ObjectID) -> Void = { _, _ in }
    ) throws(RemoteError) -> RefAdvertisement {
        try advertisedRefs(options: options, readingItself: true, each: each)
    }

    /// `readingItself: false`: libgit2 reads the advertisement (the reference the tests hold the
    /// capture to).
    func advertisedRefs(
        options: TransportOptions, readingItself: Bool, each: (_ name: UnsafeBufferPointer<UInt8>, _ id: ObjectID) -> Void = { _, _ in }
    ) throws(RemoteError) -> RefAdvertisement {
        let session = TransportSession(endpoint: endpoint, options: options, url: url)
        if readingItself { session.capture = AdvertisementCapture.Transport(url: url).map { AdvertisementCapture(transport: $0) } }
        let listed = try withoutActuallyEscaping(each) { each throws(RemoteError) in
            session.capture?.each = each
            defer { session.capture?.each = nil }
            return try withHandle(for: session) { handle throws(RemoteError) in
                var callbacks = session.callbacks()
                var proxy = git_proxy_options()
                git_proxy_options_init(&proxy, UInt32(GIT_PROXY_OPTIONS_VERSION))
                let rc = withExtendedLifetime(session) { git_remote_connect(handle, GIT_DIRECTION_FETCH, &callbacks, &proxy, nil) }
                try session.check(rc, "git_remote_connect")
                defer { git_remote_disconnect(handle) }
                if let advertisement = session.capture?.advertisement { return advertisement }
                var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
                var count = 0
                try session.check(git_remote_ls(&heads, &count, handle), "git_remote_ls")
                return RefAdvertisement(
                    storage: .heads(
                        (0..<count).compactMap { index in
                            guard let head = heads?[index]?.pointee, let name = head.name else { return nil }
                            return RemoteHead(name: String(cString: name), id: ObjectID(head.oid))
                        }))
            }
        }
        if case .heads(let heads) = listed.storage {
            // libgit2 listed them (a local remote, or a capture that stepped aside after handing
            // on the refs before the line it did not read: libgit2 lists the same ones first).
            for head in heads.dropFirst(session.capture?.delivered ?? 0) {
                var name = head.name
                name.withUTF8 { each($0, head.id) }
            }
        }
        return listed
    }

    /// Fetches `refspecs` (the remote's configured ones when empty), optionally with every tag
    /// and pruning remote-tracking refs that are gone.
    ///
    /// `followingTags: false`: no tag but those the refspecs name, and a refspec
    /// `+refs/tags/X:refs/tags/X` then updates a tag X that moved. libgit2's default (the
    /// remote's `tagOpt`, auto) also fetches the tags at the fetched commits, and never
    /// overwrites a local tag, not even one a forced refspec names.
    ///
    /// `onlyAdvertising`: libgit2 is shown only these refs of the remote's advertisement (and its
    /// first line), read past by this module as in `advertisedRefs`: at 100k tags, parsing the
    /// rest would cost it 0.3 s. The refspecs must then be exact and name no other source ref,
    /// and nothing may depend on the other refs (no `tags`, no `prune`); the refs libgit2 follows
    /// by itself (tags at the fetched commits, the configured refspecs' remote-tracking refs) are
    /// then only among those.
    public func fetch(
        _ refspecs: [String] = [], tags: Bool = false, followingTags: Bool = true, prune: Bool = false,
        onlyAdvertising shown: Set<String>? = nil, options: TransportOptions
    ) throws(RemoteError) {
        precondition(!(tags && !followingTags))
        precondition(shown == nil || (!tags && !prune && !refspecs.isEmpty && !refspecs.contains { $0.contains("*") }))
        let session = TransportSession(endpoint: endpoint, options: options, url: url)
        if let shown {
            session.capture = AdvertisementCapture.Transport(url: url).map { AdvertisementCapture(transport: $0, showing: shown) }
        }
        try withHandle(for: session) { handle throws(RemoteError) in
            var fetchOptions = git_fetch_options()
            git_fetch_options_init(&fetchOptions, UInt32(GIT_FETCH_OPTIONS_VERSION))
            fetchOptions.callbacks = session.callbacks()
            if tags { fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL }
            if !followingTags { fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE }
            if prune { fetchOptions.prune = GIT_FETCH_PRUNE }
            let rc = withStringArray(refspecs) { array in
                withExtendedLifetime(session) {
                    git_remote_fetch(handle, refspecs.isEmpty ? nil : array, &fetchOptions, "release-guardian: fetch")
                }
            }
            try session.check(rc, "git_remote_fetch")
        }
    }

    /// `body` with this remote's handle, or, when the session captures the advertisement, with
    /// a copy of it (`git_remote_dup`: the same name, URL, refspecs and tag option) freed after:
    /// libgit2 keeps the transport a handle first connected with for its later connections.
    private func withHandle<T>(for session: TransportSession, _ body: (OpaquePointer) throws(RemoteError) -> T) throws(RemoteError) -> T {
        guard session.capture != nil else { return try body(handle) }
        var copy: OpaquePointer?
        try session.check(git_remote_dup(&copy, handle), "git_remote_dup")
        defer { git_remote_free(copy) }
        return try body(copy!)
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
