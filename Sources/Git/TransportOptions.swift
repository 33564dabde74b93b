import CLibGit2

/// How to reach remotes. Mechanism only, as git2-rs's `RemoteCallbacks`: which credential to
/// offer and whether an SSH server's host key is trusted are the caller's decisions, asked of
/// its closures; this module carries them out and reports what happened.
public struct TransportOptions: Sendable {
    /// Asked each time the server wants credentials, again after each refusal; nil gives up,
    /// and the operation fails with `RemoteError.authentication` naming what was offered.
    public var credentials: @Sendable (CredentialRequest) -> Credential?
    /// Asked with an SSH server's host key before any credential is sent; `.refused` ends the
    /// connection with `RemoteError.hostKey`.
    public var hostKey: @Sendable (HostKey) -> HostKeyVerdict
    /// A PEM file of the certificate authorities to trust for HTTPS remotes instead of the
    /// system's.
    public var certificateAuthorities: String?
    /// Called with short progress lines.
    public var progress: (@Sendable (String) -> Void)?
    /// Called with each line the server writes to the client during the operation (git shows
    /// them as `remote: …`: a PaaS's build log, a hook's refusal), secrets of the URL hidden.
    public var remoteMessage: (@Sendable (String) -> Void)?

    /// By default no credential is offered and no SSH host key is trusted.
    public init(
        credentials: @escaping @Sendable (CredentialRequest) -> Credential? = { _ in nil },
        hostKey: @escaping @Sendable (HostKey) -> HostKeyVerdict = { _ in .refused(HostKeyNotChecked()) },
        certificateAuthorities: String? = nil, progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.credentials = credentials
        self.hostKey = hostKey
        self.certificateAuthorities = certificateAuthorities
        self.progress = progress
    }
}

/// The kinds of credential a server accepts (libgit2's `git_credential_t`, the ones offered here).
public struct CredentialTypes: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let sshKey = CredentialTypes(rawValue: GIT_CREDENTIAL_SSH_KEY.rawValue)
    public static let userPassword = CredentialTypes(rawValue: GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue)
    /// Only a user name (libssh2 needs one before it can list the methods the server accepts).
    public static let username = CredentialTypes(rawValue: GIT_CREDENTIAL_USERNAME.rawValue)
}

/// What the server asks for.
public struct CredentialRequest: Sendable {
    /// The remote's URL, credentials removed (the scheme and host are kept).
    public let url: String
    public let usernameFromURL: String?
    public let allowed: CredentialTypes
    /// How many credentials this operation offered before (0 the first time); user names alone
    /// are not counted.
    public let attempt: Int

    public init(url: String, usernameFromURL: String?, allowed: CredentialTypes, attempt: Int) {
        self.url = url
        self.usernameFromURL = usernameFromURL
        self.allowed = allowed
        self.attempt = attempt
    }
}

/// A credential to offer. `name` is how errors list it; the secret in it is never printed.
public struct Credential: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        case sshKeyFile(user: String, privateKey: String, publicKey: String?, passphrase: String?)
        /// A private key's text, handed to libssh2 in memory (never written to a file).
        case sshKeyMemory(user: String, privateKey: String, passphrase: String?)
        case sshAgent(user: String)
        case userPassword(user: String, password: String)
        case username(String)
    }

    public let kind: Kind
    public let name: String

    public var description: String { name }

    /// A private key file (and its public half, when there is one), named by its path.
    public static func sshKeyFile(user: String, privateKey: String, publicKey: String?, passphrase: String?) -> Credential {
        Credential(kind: .sshKeyFile(user: user, privateKey: privateKey, publicKey: publicKey, passphrase: passphrase), name: privateKey)
    }

    /// A private key given as text; `name` says where it came from, without it.
    public static func sshKeyMemory(user: String, privateKey: String, passphrase: String?, name: String) -> Credential {
        Credential(kind: .sshKeyMemory(user: user, privateKey: privateKey, passphrase: passphrase), name: name)
    }

    public static func sshAgent(user: String) -> Credential {
        Credential(kind: .sshAgent(user: user), name: "ssh-agent")
    }

    /// A user and password (or token); `name` says where it came from, without it.
    public static func userPassword(user: String, password: String, name: String) -> Credential {
        Credential(kind: .userPassword(user: user, password: password), name: name)
    }

    public static func username(_ user: String) -> Credential {
        Credential(kind: .username(user), name: "the user name \(user)")
    }

    var type: CredentialTypes {
        switch kind {
        case .sshKeyFile, .sshKeyMemory, .sshAgent: .sshKey
        case .userPassword: .userPassword
        case .username: .username
        }
    }
}

/// An SSH server's host key, as the server sent it.
public struct HostKey: Sendable {
    public let host: String
    /// The port the URL names (22 when it names none).
    public let port: Int
    /// The raw key blob, as in known_hosts once base64-decoded.
    public let key: [UInt8]

    public init(host: String, port: Int, key: [UInt8]) {
        self.host = host
        self.port = port
        self.key = key
    }
}

public enum HostKeyVerdict: Sendable {
    case trusted
    /// Not trusted: `reason` says why in the caller's words, and is what `RemoteError.hostKey`
    /// prints.
    case refused(any Error)
}

/// The default verdict: nothing said how to check host keys.
public struct HostKeyNotChecked: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "no host-key check was given, so no SSH server is trusted" }
}

/// libgit2 passed no raw host key (a libssh2 that cannot export it): nothing can be checked.
struct HostKeyUnreadable: Error, CustomStringConvertible {
    let host: String
    let port: Int
    var description: String { "the SSH host key of \(host):\(port) could not be read, so the server cannot be trusted" }
}
