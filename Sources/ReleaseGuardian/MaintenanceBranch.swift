import Foundation

/// A maintenance branch: a branch matching one of the `release.maintenance` globs (default
/// `release/v*`; `*` stays within one path component, so `*.x` is not `feature/2.x`) whose last path component names a release line: `v1.4`, `1.4.x`, `release-1.4`
/// (a minor line) or `v1`, `12.x`, `release_2_x` (every line of a major). Only such a branch
/// vouches for a tag that is not on main, and only for a hotfix (a patch of a released
/// `MAJOR.MINOR` line) of the line it names: a branch named `release/vX`, or a rollback branch
/// `release/v1.2.3`, names no line and vouches for nothing.
struct MaintenanceBranch: Equatable {
    /// The component whose tags it holds: `release/google-gax-v5.0` names line 5.0 of
    /// google-gax (when `release.maintenance` matches it, e.g. `release/*`).
    let component: TagComponent
    let major: SemanticVersion.Numeric
    /// nil when the branch names a whole major.
    let minor: SemanticVersion.Numeric?

    /// The line `ref` names, or nil when it is not a maintenance branch of `settings`.
    init?(ref: String, settings: Settings) {
        guard ref.hasPrefix(RefName.headsPrefix), settings.maintenanceBranches.contains(where: { fnmatch($0, ref, FNM_PATHNAME) == 0 }),
            let last = ref.split(separator: "/").last
        else { return nil }
        // A component's line after its stem (`google-gax-v5.0`). Otherwise a word before the
        // numbers (`release_`, `release-v`, `v`) names nothing; a last `x` is "any":
        // `release_2_x` is major 2, `1.4.x` line 1.4.
        let component = settings.components.first { $0.claims(last) } ?? .plain
        var name = last.dropFirst(component.stem.count)
        if component.name == nil {
            name = name.drop { $0.isASCII && $0.isLetter }
            if name.first == "_" || name.first == "-" { name = name.dropFirst() }
        }
        if name.first == "v" { name = name.dropFirst() }
        let separators: Set<Character> = [".", "_", "-"]
        var numbers = name.split(omittingEmptySubsequences: false, whereSeparator: separators.contains)
        if numbers.last == "x" { numbers.removeLast() }
        guard numbers.count == 1 || numbers.count == 2, let major = SemanticVersion.Numeric(numbers[0]) else { return nil }
        self.component = component
        self.major = major
        if numbers.count == 2 {
            guard let minor = SemanticVersion.Numeric(numbers[1]) else { return nil }
            self.minor = minor
        } else {
            minor = nil
        }
    }

    /// `1.4` or `1` (`5.0 of component google-gax`), for messages.
    var lineName: String { (minor.map { "\(major).\($0)" } ?? "\(major)") + component.ofComponent }

    /// Whether `version` belongs to the line this branch names.
    func names(_ version: SemanticVersion) -> Bool {
        version.major == major && (minor == nil || version.minor == minor)
    }

    /// Whether a tag of `version` is a hotfix of this branch's line: its `MAJOR.MINOR` line
    /// already has a final release, so the tag opens nothing new (a new minor or major goes
    /// through main, even on a branch naming a whole major).
    func vouchesFor(_ version: SemanticVersion, existing tags: ReleaseTagIndex) -> Bool {
        names(version) && tags.highestFinal(inLine: version.line) != nil
    }
}
