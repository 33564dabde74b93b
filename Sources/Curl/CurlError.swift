import CCurl

/// Why libcurl could not do what it was asked: what kind of failure, and libcurl's own words.
///
/// `message` is libcurl's (its error buffer, else its description of the code, or why it could not
/// be loaded). libcurl may quote a URL's host, and a server's certificate; callers whose URL is a
/// secret remove its parts before showing it.
public struct CurlError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// libcurl is not installed, or too old.
        case unavailable
        /// libcurl's URL parser refuses the text.
        case invalidURL
        /// The server's certificate is not signed by a trusted authority, or is not for its name.
        case untrustedCertificate
        /// The authorities' file cannot be read.
        case unreadableAuthorities
        /// The time allowed ran out.
        case timedOut
        /// Anything else: no such host, connection refused, TLS handshake, …
        case other
    }

    public let kind: Kind
    public let message: String

    init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// A transfer's failure: the code's kind, the error buffer's text if libcurl wrote one.
    init(code: CURLcode, errorBuffer: String) {
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION: kind = .untrustedCertificate
        case CURLE_SSL_CACERT_BADFILE: kind = .unreadableAuthorities
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: kind = .invalidURL
        default: kind = .other
        }
        message = errorBuffer.isEmpty ? String(cString: rg_curl_easy_strerror(code)) : errorBuffer
    }
}
