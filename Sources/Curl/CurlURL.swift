import CCurl

/// A URL as libcurl's parser reads it; a transfer to it uses this very reading
/// (`CURLOPT_CURLU`), so what a caller checks (the scheme, the host) is what libcurl connects to.
///
/// It may hold a secret: its description and its mirror show nothing of it.
public final class CurlURL: CustomStringConvertible, CustomReflectable {
    let handle: OpaquePointer
    /// Lower case, as libcurl keeps it: `https`.
    public let scheme: String
    /// As libcurl keeps it: a name, an IPv4 address in its usual form, or `[an IPv6 address]`.
    public let host: String
    /// The parts of the URL that may carry a secret, as written and decoded: the user and
    /// password, the path and each of its segments, the query and each of its items, the
    /// fragment; empty parts left out. To remove from text that might quote them.
    public let partsThatMayBeSecret: [String]

    /// Reads `text` as an absolute URL; a scheme libcurl does not support is refused here.
    public init(parsing text: String) throws(CurlError) {
        if let reason = rg_curl_load() { throw CurlError(kind: .unavailable, message: String(cString: reason)) }
        guard let handle = rg_curl_url() else { throw CurlError(kind: .other, message: "out of memory") }
        self.handle = handle
        let code = rg_curl_url_set(handle, CURLUPART_URL, text, 0)
        guard code == CURLUE_OK else {
            rg_curl_url_cleanup(handle)
            throw CurlError(kind: .invalidURL, message: Self.describe(code))
        }
        scheme = Self.part(CURLUPART_SCHEME, of: handle)?.lowercased() ?? ""
        host = Self.part(CURLUPART_HOST, of: handle) ?? ""
        var parts: [String] = []
        for part in [CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_PATH, CURLUPART_QUERY, CURLUPART_FRAGMENT] {
            for flags in [UInt32(0), UInt32(CURLU_URLDECODE)] {
                guard let value = Self.part(part, of: handle, flags: flags), !value.isEmpty, value != "/" else { continue }
                parts.append(value)
                if part == CURLUPART_PATH || part == CURLUPART_QUERY {
                    parts += value.split(whereSeparator: { "/&;=".contains($0) }).map(String.init)
                }
            }
        }
        partsThatMayBeSecret = Array(Set(parts))
    }

    deinit { rg_curl_url_cleanup(handle) }

    public var description: String { "\(scheme):// URL (hidden)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    private static func part(_ part: CURLUPart, of handle: OpaquePointer, flags: UInt32 = 0) -> String? {
        var content: UnsafeMutablePointer<CChar>?
        guard rg_curl_url_get(handle, part, &content, flags) == CURLUE_OK, let content else { return nil }
        defer { rg_curl_free(content) }
        return String(cString: content)
    }

    /// Why the parser refused a URL, in words that never quote it.
    private static func describe(_ code: CURLUcode) -> String {
        switch code {
        case CURLUE_BAD_SCHEME, CURLUE_UNSUPPORTED_SCHEME, CURLUE_NO_SCHEME: "it does not start with a scheme libcurl supports (https://)"
        case CURLUE_NO_HOST, CURLUE_BAD_HOSTNAME: "it has no valid host"
        case CURLUE_BAD_PORT_NUMBER: "its port is not valid"
        default: "libcurl cannot parse it (CURLUcode \(code.rawValue))"
        }
    }
}
