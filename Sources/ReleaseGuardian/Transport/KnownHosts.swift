import Crypto
import Foundation

/// OpenSSH's known_hosts, read to verify an SSH server's host key (libgit2 1.5 accepts any key
/// unless told otherwise). Plain and hashed (`|1|salt|hash`) host patterns, `[host]:port`,
/// comma lists, `*`/`?` wildcards, `!` negation and `@revoked` are understood.
struct KnownHosts: Sendable {
    enum Verdict: Equatable, Sendable {
        case trusted
        /// No line names this host.
        case unknown
        /// Lines name this host with other keys: the key changed, or someone is in the middle.
        case changed(knownTypes: [String])
        case revoked
    }

    struct Entry: Sendable {
        let marker: String?
        let patterns: String
        let keyType: String
        let key: [UInt8]
    }

    let entries: [Entry]
    let path: String

    /// Reads the file; a missing file is an empty list (every host unknown).
    init(path: String) {
        self.init(text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "", path: path)
    }

    /// Lines given as text (`RELEASE_GUARDIAN_KNOWN_HOSTS`); `path` names where they came from.
    init(text: String, path: String) {
        self.path = path
        entries = text.split(whereSeparator: \.isNewline).compactMap(Self.parse)
    }

    static func parse(_ line: Substring) -> Entry? {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = fields.first, !first.hasPrefix("#") else { return nil }
        var marker: String?
        if first.hasPrefix("@") {
            marker = first
            fields.removeFirst()
        }
        guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { return nil }
        return Entry(marker: marker, patterns: fields[0], keyType: fields[1], key: Array(key))
    }

    /// The verdict on `key` (the raw host key blob, as sent by the server) for `host:port`.
    func verify(host: String, port: Int, key: [UInt8]) -> Verdict {
        let name = port == 22 ? host : "[\(host)]:\(port)"
        let matching = entries.filter { $0.marker != "@cert-authority" && Self.matches($0.patterns, name) }
        if matching.contains(where: { $0.marker == "@revoked" && $0.key == key }) { return .revoked }
        let keys = matching.filter { $0.marker == nil }
        if keys.contains(where: { $0.key == key }) { return .trusted }
        return keys.isEmpty ? .unknown : .changed(knownTypes: keys.map(\.keyType))
    }

    /// Whether a pattern list names `name`; a matching negated pattern excludes it.
    static func matches(_ patterns: String, _ name: String) -> Bool {
        if patterns.hasPrefix("|1|") { return hashedMatch(patterns, name) }
        var matched = false
        let name = Array(name.lowercased().utf8)
        for pattern in patterns.split(separator: ",") {
            if pattern.hasPrefix("!") {
                if wildcardMatch(Array(pattern.dropFirst().lowercased().utf8), name) { return false }
            } else if wildcardMatch(Array(pattern.lowercased().utf8), name) {
                matched = true
            }
        }
        return matched
    }

    /// OpenSSH's host patterns: `*` and `?` are the only special characters (so `[host]:port`
    /// is literal, unlike in fnmatch).
    static func wildcardMatch(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var (p, t) = (0, 0)
        var star: (pattern: Int, text: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = (p, t)
                p += 1
            } else if let last = star {
                p = last.pattern + 1
                t = last.text + 1
                star = (last.pattern, last.text + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`
    static func hashedMatch(_ pattern: String, _ name: String) -> Bool {
        let parts = pattern.split(separator: "|")
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])), let hash = Data(base64Encoded: String(parts[2]))
        else { return false }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(name.lowercased().utf8), using: SymmetricKey(data: salt))
        return Array(code) == Array(hash)
    }
}
