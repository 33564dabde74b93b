import Foundation
import TestSupport
import Testing

/// Tag names that read as `v1.1.0` in every UI but are not it, pushed through the installed hook
/// and through the server hook.
struct LookAlikeTagTests {
    /// Each reads as v1.1.0 (the next release after origin's v1.0.0).
    static let lookAlikes = [
        "v\u{FF11}.\u{FF11}.\u{FF10}",  // fullwidth digits
        "\u{0475}1.1.0",  // Cyrillic izhitsa
        "\u{FF56}1.1.0",  // fullwidth v
        "\u{200B}v1.1.0",  // zero-width space before
        "vv1.1.0",  // doubled v
        "v1.1.0\u{200D}",  // zero-width joiner after
        "\u{2174}1.1.0",  // small roman numeral five
    ]

    @Test(arguments: lookAlikes)
    func refusesALookAlikeOfAReleaseTagThroughGitPush(_ name: String) throws {
        let clone = try GuardedClone()
        _ = try clone.commit("feature")
        try clone.tag(name)
        let before = try clone.originRefs()
        let push = try clone.push("origin", "refs/tags/\(name)")
        #expect(push.status != 0, "the look-alike \(name.unicodeScalars.map { String($0.value, radix: 16) }) went through")
        #expect(push.stderr.contains("[tag-format]"), "stderr: \(push.stderr)")
        #expect(push.stderr.contains("fix: "), "\(push.stderr)")
        #expect(try clone.originRefs() == before)
    }

    @Test func refusesNonASCIITagsByDefaultAndAllowsThemOnlyAwayFromVersionsWhenAsked() throws {
        let clone = try GuardedClone()
        try clone.tag("caf\u{00E9}-menu")
        let refused = try clone.push("origin", "refs/tags/caf\u{00E9}-menu")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("[tag-format]"))
        #expect(refused.stderr.contains("U+00E9"), "the message names the character: \(refused.stderr)")
        #expect(refused.stderr.contains("release.allowNonASCIITags"), "\(refused.stderr)")

        try clone.scratch.write("[release]\n    allowNonASCIITags = true\n", to: clone.work + "/.release-guardian")
        let allowed = try clone.push("origin", "refs/tags/caf\u{00E9}-menu")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        // Never for a look-alike of a version tag, fast path or not.
        for name in ["\u{FF56}1.1.0", "\u{0475}1.1.0", "\u{200B}v1.1.0"] {
            try clone.tag(name)
            let push = try clone.push("origin", "refs/tags/\(name)")
            #expect(push.status == 1, "\(name): \(push.stderr)")
            #expect(push.stderr.contains("[tag-format]"))
            _ = try clone.git("tag", "-d", name)  // or --follow-tags would take it along
        }
        // And the ordinary release still goes through.
        _ = try clone.commit("feature")
        try clone.tag("v1.1.0")
        let release = try clone.push("--follow-tags", "origin", "main")
        #expect(release.status == 0, "\(release.stderr)")
    }

    @Test func theServerHookRefusesLookAlikesToo() throws {
        let clone = try GuardedClone(hook: .server())
        for name in ["v\u{FF11}.\u{FF11}.\u{FF10}", "vv1.1.0", "\u{200B}v1.1.0"] {
            try clone.tag(name)
            let push = try clone.push("origin", "refs/tags/\(name)")
            #expect(push.status != 0, "\(name) went through")
            #expect(push.stderr.contains("[tag-format]"), "\(push.stderr)")
        }
    }
}
