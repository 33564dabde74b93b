import CCurl

/// One HTTP POST through libcurl, libcurl loaded on the first one: mechanism only (what to send
/// where, with which authorities and within what time); the caller decides what the outcome means.
public struct HTTPPost {
    public var url: CurlURL
    public var body: [UInt8]
    /// Request header lines: `Content-Type: application/json`.
    public var headers: [String]
    /// PEM file of the authorities to trust instead of the system's; nil: the system's.
    public var authoritiesFile: String?
    /// The proxy (`http://host:port`), or "" for none. libcurl would otherwise read the
    /// process's own proxy variables.
    public var proxy: String
    /// Hosts reached without the proxy (`no_proxy`'s syntax).
    public var noProxy: String?
    /// For the whole transfer: name resolution, connection, TLS, request and answer.
    public var timeoutMilliseconds: Int
    /// How much of the answer's body to keep; the rest is read and dropped.
    public var keptResponseBytes = 4096

    public init(
        url: CurlURL, body: [UInt8], headers: [String], authoritiesFile: String?, proxy: String, noProxy: String?,
        timeoutMilliseconds: Int
    ) {
        self.url = url
        self.body = body
        self.headers = headers
        self.authoritiesFile = authoritiesFile
        self.proxy = proxy
        self.noProxy = noProxy
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public struct Response: Sendable, Equatable {
        public let status: Int
        /// The start of the body (`keptResponseBytes`).
        public let body: [UInt8]
    }

    /// Sends the request once (no retry, no redirect followed); the server's answer whatever its
    /// status, or why there is none.
    public func send() -> Result<Response, CurlError> {
        if let reason = rg_curl_load() { return .failure(CurlError(kind: .unavailable, message: String(cString: reason))) }
        // Freed after the handle that points to it (libcurl copies strings, not lists).
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { rg_curl_slist_free_all(headerList) }
        // No "Expect: 100-continue" round trip before the body.
        for line in headers + ["Expect:"] { headerList = rg_curl_slist_append(headerList, line) }
        guard let handle = rg_curl_easy_init() else { return .failure(CurlError(kind: .other, message: "out of memory")) }
        defer { rg_curl_easy_cleanup(handle) }
        let received = ReceivedBody(limit: keptResponseBytes)
        var errorBuffer = [UInt8](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        // An empty body still has an address: libcurl takes nil for "none given".
        let bodyStorage = body.isEmpty ? [0] : body
        let code: CURLcode = withExtendedLifetime(received) {
            errorBuffer.withUnsafeMutableBufferPointer { errorBytes in
                bodyStorage.withUnsafeBufferPointer { bodyBytes in
                    var set = CURLE_OK
                    func option(_ code: CURLcode) { if set == CURLE_OK { set = code } }
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_CURLU, UnsafeRawPointer(url.handle)))
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBytes.baseAddress))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
                    if let authoritiesFile { option(rg_curl_easy_setopt_pointer(handle, CURLOPT_CAINFO, authoritiesFile)) }
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_PROXY, proxy))
                    if let noProxy { option(rg_curl_easy_setopt_pointer(handle, CURLOPT_NOPROXY, noProxy)) }
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_USERAGENT, "release-guardian"))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_POST, 1))
                    option(rg_curl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
                    // libcurl reads the body during perform, from this buffer (not copied).
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyBytes.baseAddress))
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList))
                    option(rg_curl_easy_setopt_write_function(handle, receive))
                    option(rg_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(received).toOpaque()))
                    // Only HTTP(S), should anything lead elsewhere (7.85+; older ones lack the
                    // option, and the caller has checked the scheme).
                    let protocols = rg_curl_easy_setopt_pointer(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                    if protocols != CURLE_UNKNOWN_OPTION { option(protocols) }
                    let performed = set == CURLE_OK ? rg_curl_easy_perform(handle) : set
                    // The buffers given above end with these closures.
                    _ = rg_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
                    _ = rg_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
                    return performed
                }
            }
        }
        guard code == CURLE_OK else {
            return .failure(CurlError(code: code, errorBuffer: String(decoding: errorBuffer.prefix { $0 != 0 }, as: UTF8.self)))
        }
        var status = 0
        _ = rg_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(Response(status: status, body: received.bytes))
    }
}

/// The start of the answer's body, filled by `receive`.
private final class ReceivedBody {
    let limit: Int
    var bytes: [UInt8] = []
    init(limit: Int) { self.limit = limit }
}

/// libcurl's write callback: keeps the first bytes, takes the rest (returning less would abort).
private func receive(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ box: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let data, let box else { return length }
    let received = Unmanaged<ReceivedBody>.fromOpaque(box).takeUnretainedValue()
    let kept = min(length, received.limit - received.bytes.count)
    if kept > 0 {
        received.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: kept))
    }
    return length
}
