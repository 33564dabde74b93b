/// The one function that removes secrets from text meant for people or records (plans,
/// errors, reports, JSON, the ledger): in every URL of `text`, the user-info
/// (`https://ghp_…@host`, `https://alice:pw@host` → `https://***@host`) and the value of every
/// known token query parameter (`?token=…`, `&access_token=…`, `sig=…` → `=***`). An SSH user
/// name without a password (`ssh://git@host/x`) names an account, not a secret, and stays; an
/// SSH password goes. `alsoHiding` lists secrets to remove wherever they appear (a credential
/// libgit2 may quote outside a URL).
public func redacted(_ text: String, alsoHiding secrets: [String] = []) -> String {
    var output = String.UnicodeScalarView()
    let scalars = Array(text.unicodeScalars)
    var index = 0
    while index < scalars.count {
        // "://": the authority runs to the first `/ ? #` or a character no URL holds.
        if scalars[index] == ":", index + 2 < scalars.count, scalars[index + 1] == "/", scalars[index + 2] == "/" {
            var schemeStart = index
            while schemeStart > 0, isSchemeCharacter(scalars[schemeStart - 1]) { schemeStart -= 1 }
            let scheme = String(String.UnicodeScalarView(scalars[schemeStart..<index])).lowercased()
            let authorityStart = index + 3
            var authorityEnd = authorityStart
            while authorityEnd < scalars.count, !endsAuthority(scalars[authorityEnd]) { authorityEnd += 1 }
            output.append(contentsOf: scalars[index..<authorityStart])
            let authority = scalars[authorityStart..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                let userInfo = scalars[authorityStart..<at]
                if scheme.contains("ssh") {
                    if let colon = userInfo.firstIndex(of: ":") {
                        output.append(contentsOf: scalars[authorityStart...colon])
                        output.append(contentsOf: "***".unicodeScalars)
                    } else {
                        output.append(contentsOf: userInfo)
                    }
                } else {
                    output.append(contentsOf: "***".unicodeScalars)
                }
                output.append(contentsOf: scalars[at..<authorityEnd])
            } else {
                output.append(contentsOf: authority)
            }
            index = authorityEnd
            continue
        }
        // `?name=value`, `&name=value`, `;name=value` with a known token name.
        if scalars[index] == "?" || scalars[index] == "&" || scalars[index] == ";" {
            var nameEnd = index + 1
            while nameEnd < scalars.count, isParameterNameCharacter(scalars[nameEnd]) { nameEnd += 1 }
            if nameEnd < scalars.count, scalars[nameEnd] == "=",
                secretParameters.contains(String(String.UnicodeScalarView(scalars[(index + 1)..<nameEnd])).lowercased())
            {
                var valueEnd = nameEnd + 1
                while valueEnd < scalars.count, !endsParameterValue(scalars[valueEnd]) { valueEnd += 1 }
                output.append(contentsOf: scalars[index...nameEnd])
                if valueEnd > nameEnd + 1 { output.append(contentsOf: "***".unicodeScalars) }
                index = valueEnd
                continue
            }
        }
        output.append(scalars[index])
        index += 1
    }
    var result = String(output)
    for secret in secrets where secret.count >= 4 {
        result = result.replacingOccurrences(of: secret, with: "***")
    }
    return result
}

/// The secrets `redacted` removes from `url` (user-info parts and token parameter values), to
/// remove them too from messages that quote them outside the URL.
func secrets(in url: String) -> [String] {
    var found: [String] = []
    if let schemeEnd = url.range(of: "://") {
        let authority = url[schemeEnd.upperBound...].prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            let isSSH = url[..<schemeEnd.lowerBound].lowercased().contains("ssh")
            for (position, part) in userInfo.split(separator: ":", maxSplits: 1).enumerated() where !(isSSH && position == 0) {
                found.append(String(part.removingPercentEncoding ?? String(part)))
                found.append(String(part))
            }
        }
    }
    if let query = url.firstIndex(of: "?") {
        for pair in url[url.index(after: query)...].split(whereSeparator: { $0 == "&" || $0 == ";" || $0 == "#" }) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, secretParameters.contains(parts[0].lowercased()) { found.append(String(parts[1])) }
        }
    }
    return found.filter { !$0.isEmpty }
}

/// Query parameters that carry credentials on the forges, clouds and chat services teams use.
let secretParameters: Set<String> = [
    "token", "access_token", "private_token", "auth_token", "id_token", "refresh_token", "oauth_token", "job_token",
    "key", "api_key", "apikey", "api-key", "sig", "signature", "secret", "client_secret", "password", "passwd", "pass",
    "auth", "code", "credential", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
    "x-goog-credential",
]

private func isSchemeCharacter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        || ("0"..."9").contains(scalar) || scalar == "+" || scalar == "-" || scalar == "."
}

private func isParameterNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
}

private func endsAuthority(_ scalar: Unicode.Scalar) -> Bool {
    "/?#\\\"'`<>(){}| \t\r\n".unicodeScalars.contains(scalar)
}

private func endsParameterValue(_ scalar: Unicode.Scalar) -> Bool {
    "&#;\"'`<>()|\\ \t\r\n".unicodeScalars.contains(scalar)
}
