import Foundation

/// What a tag name means to the policy: the one classifier of "what counts as a version tag".
///
/// A *version tag* is any tag whose name starts with `v`, `V` or a digit followed by a digit
/// (`v1…`, `V2…`, `3…`; a doubled `vv1…` too); it must be a *release tag*: `v` + a SemVer 2.0.0
/// version without build metadata. A name with a character outside ASCII is a *look-alike* of a
/// version tag when it reads as one once compatibility forms are folded (NFKC), invisible
/// characters dropped and letters that pass for `v` read as `v` (`ｖ1.1.0`, `ѵ1.1.0`, `v１.１.０`,
/// a zero-width space before `v1.1.0`): a malformed version tag. Other non-ASCII names are
/// `nonASCII`. Other tags are not guarded (unless `release.onlyVersionTags`).
///
/// With `release.floatingTags`, `vN` and `vN.M` are floating tags. A tag that a component's
/// stem starts (`google-gax-v5.0.4`, `[component "google-gax"] prefix = google-gax-v`) is read
/// the same way after the stem, as that component's.
public enum TagName: Equatable, Sendable {
    /// A release tag of a component (`.plain` for the `v` tags).
    case release(SemanticVersion, TagComponent)
    /// `vN` or `vN.M` with `release.floatingTags` (in a component: `google-gax-v5`).
    case floating(FloatingTag)
    /// A version tag that is not a release tag, or a look-alike of one; `reason` says why,
    /// `suggestion` is the release tag it probably meant (when one can be derived).
    case malformedVersion(reason: String, suggestion: String?)
    /// A name with a character outside ASCII that does not read as a version; refused unless
    /// `release.allowNonASCIITags`. `reason` names the characters.
    case nonASCII(reason: String)
    case unversioned

    /// What `name` is, as a repository that names its tags with `naming` reads it: a component's
    /// tag when one claims it (its stem, then what looks like a version), else a plain one.
    public init(_ name: String, naming: TagNaming = .plain) {
        // The hook's fast path: an ASCII name never needs Foundation's normalisation.
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            self = Self.classifyNonASCII(name, naming: naming)
            return
        }
        if !naming.components.isEmpty, let component = naming.component(claiming: name) {
            self = Self.classify(name.dropFirst(component.stem.count), in: component, floating: naming.floatingTags)
            return
        }
        guard Self.looksLikeVersion(name) else {
            self = .unversioned
            return
        }
        self = Self.classify(Substring(name), in: .plain, floating: naming.floatingTags)
    }

    /// `text` (`v1.2.3`, `V1.2.3`, `v7`…) after `component`'s stem, known to look like a version.
    private static func classify(_ text: Substring, in component: TagComponent, floating: Bool) -> TagName {
        if floating, let tag = FloatingTag(text, component: component) { return .floating(tag) }
        let stem = component.stem
        let suggestion = Self.normalizedVersion(of: text).map { stem + "v\($0)" }
        let prefix = text.utf8.prefix { $0 == UInt8(ascii: "v") || $0 == UInt8(ascii: "V") }
        guard prefix.count <= 1, text.first == "v" else {
            let reason =
                if let name = component.name {
                    "release tags of component \(name) are \(component.prefix) + MAJOR.MINOR.PATCH"
                } else if prefix.count > 1 {
                    "release tags start with a single 'v'"
                } else if text.first == "V" {
                    "release tags start with a lowercase 'v'"
                } else {
                    "release tags start with 'v' (v + MAJOR.MINOR.PATCH)"
                }
            return .malformedVersion(reason: reason, suggestion: suggestion)
        }
        do {
            let version = try SemanticVersion(parsing: text.dropFirst())
            guard version.build.isEmpty else {
                return .malformedVersion(
                    reason:
                        "build metadata '+\(version.build.joined(separator: "."))' is not allowed on release tags: it does not order versions, so two tags could tie",
                    suggestion: suggestion)
            }
            return .release(version, component)
        } catch {
            return .malformedVersion(reason: "'\(text.dropFirst())' is not a SemVer 2.0.0 version: \(error)", suggestion: suggestion)
        }
    }

    public var version: SemanticVersion? {
        if case .release(let version, _) = self { return version }
        return nil
    }

    /// The component of a release or floating tag.
    public var component: TagComponent? {
        switch self {
        case .release(_, let component): component
        case .floating(let tag): tag.component
        default: nil
        }
    }

    /// The component and version a version tag spells, read leniently (`google-gax-V5.0.4`
    /// spells 5.0.4 of google-gax); nil for other names.
    public static func spelledVersion(of name: String, naming: TagNaming) -> (component: TagComponent, version: SemanticVersion)? {
        let component = naming.components.isEmpty ? nil : naming.component(claiming: name)
        guard let version = normalizedVersion(of: name.dropFirst(component?.stem.count ?? 0)) else { return nil }
        return (component ?? .plain, version)
    }

    /// `v1…`, `V2…`, `3…`, and `vv1…` (a doubled `v` reads as one).
    static func looksLikeVersion(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first(where: { $0 != UInt8(ascii: "v") && $0 != UInt8(ascii: "V") }) else { return false }
        return first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")
    }

    /// Whether a policy guards a tag of this name: version tags always; non-ASCII names unless
    /// allowed; any tag with `onlyVersionTags`.
    public func isGuarded(onlyVersionTags: Bool, allowNonASCII: Bool) -> Bool {
        switch self {
        case .release, .floating, .malformedVersion: true
        case .nonASCII: onlyVersionTags || !allowNonASCII
        case .unversioned: onlyVersionTags
        }
    }

    // MARK: Names outside ASCII

    /// A look-alike of a version tag, or another non-ASCII name.
    static func classifyNonASCII(_ name: String, naming: TagNaming) -> TagName {
        let odd = name.unicodeScalars.filter { !$0.isASCII }
        var seen: Set<Unicode.Scalar> = []
        let distinct = odd.filter { seen.insert($0).inserted }
        let characters = distinct.prefix(3).map(describe).joined(separator: ", ") + (distinct.count > 3 ? ", …" : "")
        let readsAs = readingOf(name)
        let component = naming.components.isEmpty ? nil : naming.component(claiming: readsAs)
        let versionPart = readsAs.dropFirst(component?.stem.count ?? 0)
        guard looksLikeVersion(versionPart) else {
            return .nonASCII(reason: "it contains \(characters), not plain ASCII")
        }
        // The release tag it passes for (`normalizedVersion` reads ASCII only, so no recursion).
        let suggestion = normalizedVersion(of: versionPart).map { (component?.stem ?? "") + "v\($0)" }
        return .malformedVersion(
            reason:
                "it reads as \(readsAs) but is another name, a look-alike: it contains \(characters). Tag names are ASCII so that every tool and every reader sees the same version",
            suggestion: suggestion)
    }

    /// What a name reads as: NFKC (fullwidth and other compatibility forms folded), invisible
    /// characters and combining marks dropped, decimal digits of any script read as ASCII
    /// digits, and letters that pass for `v` read as `v`.
    static func readingOf(_ name: String) -> String {
        var reading = String.UnicodeScalarView()
        for scalar in name.precomposedStringWithCompatibilityMapping.unicodeScalars {
            let properties = scalar.properties
            if properties.isDefaultIgnorableCodePoint || properties.isWhitespace { continue }
            switch properties.generalCategory {
            case .format, .control, .nonspacingMark, .enclosingMark, .spacingMark: continue
            default: break
            }
            if let lookAlike = vLookAlikes[scalar] {
                reading.append(lookAlike)
            } else if !scalar.isASCII, properties.numericType == .decimal, let value = properties.numericValue,
                value >= 0, value <= 9
            {
                reading.append(Unicode.Scalar(UInt8(ascii: "0") + UInt8(value)))
            } else {
                reading.append(scalar)
            }
        }
        return String(reading)
    }

    /// Letters that NFKC leaves alone but that read as `v` or `V` (Unicode's confusables).
    static let vLookAlikes: [Unicode.Scalar: Unicode.Scalar] = [
        "\u{0475}": "v", "\u{0477}": "v", "\u{03BD}": "v", "\u{1D20}": "v", "\u{2228}": "v", "\u{22C1}": "v",
        "\u{0474}": "V", "\u{0476}": "V", "\u{142F}": "V", "\u{2D38}": "V", "\u{1D5B}": "v", "\u{1D65}": "v",
    ]

    /// `U+FF56 FULLWIDTH LATIN SMALL LETTER V`
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + (scalar.properties.name.map { " " + $0 } ?? "")
    }

    /// The version a version tag spells, read leniently: any `v`/`V` prefix, leading zeros and
    /// build metadata are ignored. `V1.2.3`, `1.2.3`, `v01.2.3` and `v1.2.3+x` all spell 1.2.3.
    static func normalizedVersion(of name: some StringProtocol) -> SemanticVersion? {
        guard looksLikeVersion(name) else { return nil }
        var text = Substring(name).drop { $0 == "v" || $0 == "V" }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        var suffix: Substring = ""
        if let dash = text.firstIndex(of: "-") {
            suffix = text[dash...]
            text = text[..<dash]
        }
        let numbers = text.split(separator: ".", omittingEmptySubsequences: false).map { number -> Substring in
            let trimmed = number.drop { $0 == "0" }
            return trimmed.isEmpty && !number.isEmpty ? "0" : trimmed
        }
        return try? SemanticVersion(parsing: numbers.joined(separator: ".") + suffix)
    }
}
