import Curl
import Foundation
import Git

/// What became of a notice.
public enum NoticeOutcome: Sendable, Equatable, CustomStringConvertible {
    case sent
    /// The variable `notify.webhookEnv` names is unset or empty: nothing to send, nothing failed.
    case notConfigured(variable: String)
    /// Not delivered, and why, in words that never hold the URL or a part of it.
    case failed(reason: String)

    public var description: String {
        switch self {
        case .sent: "sent"
        case .notConfigured(let variable): "not sent: \(variable) is not set"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}

/// Tells the team (the runbook's "tell the team on Mattermost"): POSTs `{"text": "<Markdown>"}`
/// with `Content-Type: application/json` to the incoming webhook whose URL is in the environment
/// variable `notify.webhookEnv` names — the payload Mattermost and Slack incoming webhooks both
/// accept.
///
/// The URL is a secret: whoever has it posts to the channel, and its secret is its path, which no
/// URL redaction can tell from an ordinary path. So it is never printed, logged, reported or
/// recorded, nor put into any message: a reason says what failed and where (the host), and what
/// libcurl or the receiver said is quoted only once every part of the URL is removed from it.
///
/// - HTTPS, the certificate checked against the system's authorities, or against those in
///   `notify.caFile` instead; one that is not trusted is a failed notice that says why.
/// - Plain `http://` only to loopback (`127.0.0.0/8`, `[::1]`, `localhost`, which libcurl never
///   asks a resolver about): a relay on the same machine. Anywhere else the secret would cross the
///   network in clear text, so the notice fails before anything is sent.
/// - Proxies: for a host that is not loopback, `https_proxy` (or `HTTPS_PROXY`, `all_proxy`,
///   `ALL_PROXY`) and `no_proxy` from `environment`, as git and curl read them; never the
///   process's own variables, which libcurl would otherwise read behind the caller's back.
/// - At most `timeout` in all (name resolution, connection, TLS, answer); no retry, no redirect.
/// - It never throws: every failure is an outcome, for the caller to report and go on.
///
/// libcurl is loaded on the first notice (`CCurl`): linking it would cost every start of the
/// pre-push hook several milliseconds.
public struct Notifier: Sendable, CustomStringConvertible, CustomReflectable {
    public static let timeout: Duration = .seconds(10)

    public let settings: NoticeSettings
    /// The webhook's URL; nil when the variable is unset or empty. Never shown (`description`,
    /// `customMirror`).
    private let url: String?
    private let proxy: String
    private let noProxy: String?

    public init(settings: NoticeSettings, environment: [String: String]) {
        self.settings = settings
        let value = environment[settings.webhookEnv]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        url = value.isEmpty ? nil : value
        proxy = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        noProxy = environment["no_proxy"] ?? environment["NO_PROXY"]
    }

    public init(settings: Settings, environment: [String: String]) {
        self.init(settings: settings.notify, environment: environment)
    }

    /// Whether a URL is set: `send` will try.
    public var isConfigured: Bool { url != nil }

    public var description: String {
        isConfigured ? "the webhook in \(settings.webhookEnv)" : "no webhook (\(settings.webhookEnv) is not set)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["webhookEnv": settings.webhookEnv, "caFile": settings.caFile as Any, "isConfigured": isConfigured])
    }

    /// Posts `text` (Markdown) and waits for the answer, at most `timeout`.
    public func send(text: String) -> NoticeOutcome {
        guard let url else { return .notConfigured(variable: settings.webhookEnv) }
        let variable = settings.webhookEnv
        let target: CurlURL
        do {
            target = try CurlURL(parsing: url)
        } catch {
            let reason = error.kind == .unavailable ? error.message : "\(variable) does not hold a URL libcurl can use: \(error.message)"
            return .failed(reason: hidingSecrets(reason, of: nil))
        }
        let secrets = target.partsThatMayBeSecret
        let host = target.host
        let loopback = Self.isLoopback(host)
        switch target.scheme {
        case "https": break
        case "http" where loopback: break
        case "http":
            return .failed(
                reason: "\(variable) holds a plain http:// URL to \(host), which is not loopback: the URL is a secret and would "
                    + "cross the network in clear text. Use the webhook's https:// URL.")
        default:
            return .failed(reason: "\(variable) holds a URL that is not https:// but \(target.scheme)://.")
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            return .failed(reason: "notify.caFile \(caFile) cannot be read.")
        }
        let body: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            body = Array(try encoder.encode(["text": text]))
        } catch {
            return .failed(reason: "the text cannot be written as JSON: \(error)")
        }
        let post = HTTPPost(
            url: target, body: body, headers: ["Content-Type: application/json"], authoritiesFile: settings.caFile,
            proxy: loopback ? "" : proxy, noProxy: noProxy, timeoutMilliseconds: Int(Self.timeout.components.seconds) * 1000)
        switch post.send() {
        case .success(let response) where (200..<300).contains(response.status):
            return .sent
        case .success(let response):
            let said = Self.excerpt(response.body)
            return .failed(
                reason: "the webhook at \(host) answered HTTP \(response.status)"
                    + (said.isEmpty ? "." : ": " + hidingSecrets(said, of: secrets)))
        case .failure(let error):
            let said = hidingSecrets(error.message, of: secrets)
            return .failed(reason: Self.reason(for: error.kind, said: said, host: host, caFile: settings.caFile))
        }
    }

    private static func reason(for kind: CurlError.Kind, said: String, host: String, caFile: String?) -> String {
        switch kind {
        case .untrustedCertificate:
            if let caFile {
                return "the TLS certificate of \(host) is not trusted by the authorities in notify.caFile \(caFile) (\(said))."
            }
            return "the TLS certificate of \(host) is not trusted (\(said)). If its server has a private authority, set notify.caFile "
                + "to the authority's PEM file."
        case .unreadableAuthorities:
            return caFile.map { "notify.caFile \($0) holds no authority libcurl can read (\(said))." }
                ?? "the system's authorities cannot be read (\(said))."
        case .timedOut:
            return "no answer from the webhook at \(host) within \(timeout.components.seconds) s (\(said))."
        case .unavailable:
            return said
        case .invalidURL:
            return "the URL cannot be used (\(said))."
        case .other:
            return "the webhook at \(host) cannot be reached: \(said)."
        }
    }

    /// Text from outside (libcurl's words, the receiver's answer) without the URL or any part of
    /// it that may be its secret, longest first, as written and decoded.
    private func hidingSecrets(_ text: String, of parts: [String]?) -> String {
        let secrets = ([url ?? ""] + (parts ?? [])).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        return redacted(text, alsoHiding: secrets)
    }

    /// The start of a receiver's answer, on one line, without control characters.
    static func excerpt(_ bytes: [UInt8], limit: Int = 300) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        let words = line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > limit ? words.prefix(limit) + "…" : words
    }

    /// A host that is this machine whatever the resolver says.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
