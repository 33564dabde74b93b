import GitFiles

/// A set of release tags with lines of their own: the plain `v` tags (the default component), or
/// a monorepo component's, `[component "google-gax"] prefix = google-gax-v` (release-please's
/// default for monorepos: `google-gax-v5.0.4`).
///
/// A component's tag is its *stem* (the prefix without its final `v`) followed by what a plain
/// tag would be, so one classifier reads the rest: `google-gax-V5.0.4` and `google-gax-5.0.4`
/// misspell google-gax-v5.0.4 as `V5.0.4` and `5.0.4` misspell v5.0.4.
public struct TagComponent: Hashable, Sendable {
    /// nil for the plain `v` tags.
    public let name: String?
    /// `v`, `google-gax-v`.
    public let prefix: String
    /// The prefix without its final `v`: empty for the plain tags, `google-gax-`.
    let stem: String
    // Its baseline (`[component "NAME"] baseline = NAME-vX.Y.Z`) is in
    // `Settings.componentBaselines`, not here: a component is a namespace every TagName
    // carries, and two readings of it (a server's and a committed file's) must stay equal.

    public static let plain = TagComponent(name: nil, prefix: "v")

    init(name: String?, prefix: String) {
        self.name = name
        self.prefix = prefix
        stem = String(prefix.dropLast())
    }

    /// The release tag of `version` in this component: `v1.2.3`, `google-gax-v5.0.4`.
    public func tagName(_ version: SemanticVersion) -> String { prefix + version.description }

    /// `google-gax-v5`, `v7.2`: a floating tag's name in this component.
    func tagName(major: SemanticVersion.Numeric, minor: SemanticVersion.Numeric?) -> String {
        prefix + "\(major)" + (minor.map { ".\($0)" } ?? "")
    }

    /// " of component google-gax", or nothing for the plain tags; for messages.
    var ofComponent: String { name.map { " of component \($0)" } ?? "" }

    /// Whether `name` is this component's stem followed by something that looks like a version.
    func claims(_ name: some StringProtocol) -> Bool {
        name.hasPrefix(stem) && TagName.looksLikeVersion(name.dropFirst(stem.count))
    }

    /// The `[component "NAME"]` sections, in configuration order, validated: each has one prefix
    /// that ends with `v`, is valid in a tag name, cannot be read as a plain version tag, and no
    /// tag name can belong to two components.
    static func configured(in values: RawValues) throws(ConfigurationError) -> [TagComponent] {
        var components: [TagComponent] = []
        for key in values.keys where key.hasPrefix("component.") {
            let parts = key.dropFirst("component.".count)
            guard let dot = parts.lastIndex(of: ".") else { continue }
            let name = String(parts[..<dot])
            if components.contains(where: { $0.name == name }) { continue }
            // Where the section was written, for the message: its first key's file.
            let source = values.all(key).first?.source ?? "the configuration"
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .invalidValue(
                    key: "component.\(name)", value: name, source: source,
                    expected: "a component name of printable ASCII without spaces, such as google-gax")
            }
            let prefixKey = "component.\(name).prefix"
            guard let entry = values.last(prefixKey) else {
                throw .invalidValue(
                    key: prefixKey, value: "", source: source,
                    expected: "the prefix of the component's release tags, such as \(name)-v (its tags are \(name)-v1.2.3)")
            }
            // Two prefixes for one component (a repeated key or section): which one was meant?
            if let other = values.all(prefixKey).first(where: { $0.value != entry.value }) {
                throw .invalidValue(
                    key: prefixKey, value: entry.value, source: entry.source,
                    expected:
                        "one prefix per component: it is also set to \(other.value) (\(other.source)); keep one, or name the other component differently"
                )
            }
            let prefix = entry.value.trimmingCharacters(in: .whitespaces)
            let stem = prefix.dropLast()
            guard prefix.hasSuffix("v"), !stem.isEmpty, prefix.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
                RefNameFormat.isValid(RefName.tag(prefix + "1.0.0"))
            else {
                throw .invalidValue(
                    key: prefixKey, value: entry.value, source: entry.source,
                    expected:
                        "a tag name prefix ending in v, such as \(name)-v (its tags are \(name)-v1.2.3): ASCII, no spaces, valid in a tag name, and not v alone (the plain v tags are the default component)"
                )
            }
            // `v2-v`, `1x-v`: its tags would also read as plain version tags (`v2-v1.0.0`).
            guard !TagName.looksLikeVersion(stem + "1") else {
                throw .invalidValue(
                    key: prefixKey, value: entry.value, source: entry.source,
                    expected:
                        "a prefix whose tags cannot be read as plain version tags (\(prefix)1.0.0 starts like v1…): start it with a letter other than v"
                )
            }
            let component = TagComponent(name: name, prefix: prefix)
            if let other = components.first(where: { $0.overlaps(component) }) {
                let (short, long) = other.stem.count <= component.stem.count ? (other, component) : (component, other)
                throw .invalidValue(
                    key: prefixKey, value: entry.value, source: entry.source,
                    expected:
                        "a prefix no other component's starts like: component \(other.name ?? "") has prefix \(other.prefix), so \(long.prefix)1.0.0 would be a tag of both (after \(short.stem) it reads as a version \(long.prefix.dropFirst(short.stem.count))1.0.0)"
                )
            }
            components.append(component)
        }
        return components
    }

    /// Whether some tag name could belong to both: one stem starts the other, and what follows
    /// it in the longer one reads as the start of a version (`a-` and `a-v1-`, `a-` and `a-1-`).
    func overlaps(_ other: TagComponent) -> Bool {
        let (short, long) = stem.count <= other.stem.count ? (stem, other.stem) : (other.stem, stem)
        return long.hasPrefix(short) && TagName.looksLikeVersion(long.dropFirst(short.count) + "1")
    }
}

/// How a repository names its tags: the components besides the plain `v` tags, and whether
/// floating tags (`v7`, `v7.2`) are allowed.
public struct TagNaming: Equatable, Sendable {
    public var components: [TagComponent]
    /// `release.floatingTags`: `vN` and `vN.M` are floating tags, not malformed version tags.
    public var floatingTags: Bool

    /// Plain `v` tags only, no floating tags: what a ref means without any settings.
    public static let plain = TagNaming(components: [], floatingTags: false)

    public init(components: [TagComponent], floatingTags: Bool) {
        self.components = components
        self.floatingTags = floatingTags
    }

    /// The component a tag name belongs to (at most one: `TagComponent.configured` refuses
    /// prefixes that overlap), nil for the plain namespace.
    func component(claiming name: some StringProtocol) -> TagComponent? {
        components.first { $0.claims(name) }
    }

    func component(named name: String) -> TagComponent? {
        components.first { $0.name == name }
    }
}

/// A floating tag (`release.floatingTags`): `v7` follows the highest release of major 7, `v7.2`
/// that of line 7.2 (the GitHub Actions convention: workflows use `action@v7`).
public struct FloatingTag: Hashable, Sendable {
    public let major: SemanticVersion.Numeric
    /// nil for a major's tag (`v7`).
    public let minor: SemanticVersion.Numeric?
    public let component: TagComponent

    /// `v7` or `v7.2` (strict numbers, no leading zeros) after the component's stem.
    init?(_ text: some StringProtocol, component: TagComponent) {
        guard text.first == "v" else { return nil }
        let numbers = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 1 || numbers.count == 2, let major = SemanticVersion.Numeric(numbers[0]) else { return nil }
        let minor = numbers.count == 2 ? SemanticVersion.Numeric(numbers[1]) : nil
        if numbers.count == 2 && minor == nil { return nil }
        self.major = major
        self.minor = minor
        self.component = component
    }

    /// `7` or `7.2`, for messages.
    public var lineName: String { minor.map { "\(major).\($0)" } ?? "\(major)" }

    /// The tag's own name.
    public var name: String { component.tagName(major: major, minor: minor) }

    /// A version the index is asked about so that it answers for this tag's line or major.
    var trackedVersion: SemanticVersion { SemanticVersion(major: major, minor: minor ?? .zero, patch: .zero) }
}
