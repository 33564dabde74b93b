/// `[notify]`: where the team is told of deployments and rollbacks.
///
/// ```ini
/// [notify]
///     webhookEnv = RELEASE_GUARDIAN_WEBHOOK_URL   # the variable that holds the webhook's URL
///     caFile = /etc/ssl/company-ca.pem            # its server's authorities, instead of the system's
/// ```
public struct NoticeSettings: Sendable, Equatable {
    public static let defaultWebhookEnv = "RELEASE_GUARDIAN_WEBHOOK_URL"

    /// The environment variable that holds the incoming webhook's URL (`notify.webhookEnv`). The
    /// URL is a secret, so it is never in a file: a CI secret variable, a runner's environment.
    public var webhookEnv = defaultWebhookEnv
    /// A PEM file of the authorities to trust for the webhook's HTTPS certificate, instead of the
    /// system's (`notify.caFile`; empty: the system's).
    public var caFile: String?

    public init() {}

    init(_ values: RawValues) throws(ConfigurationError) {
        if let name = values.last("notify.webhookEnv") {
            guard Self.isVariableName(name.value) else {
                // Someone who wrote the URL itself there has a leaked secret; not printed once more.
                let shown = name.value.contains("/") || name.value.contains(":") ? "(not shown: it looks like a URL)" : name.value
                throw .invalidValue(
                    key: "notify.webhookEnv", value: shown, source: name.source,
                    expected:
                        "the name of the environment variable that holds the webhook's URL, such as \(Self.defaultWebhookEnv) "
                        + "(the URL is a secret: it goes in that variable, never in a file)")
            }
            webhookEnv = name.value
        }
        if let file = values.last("notify.caFile"), !file.value.isEmpty {
            caFile = Settings.expandingHome(file.value)
        }
    }

    /// A POSIX name: letters, digits and `_`, not starting with a digit.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
    }
}
