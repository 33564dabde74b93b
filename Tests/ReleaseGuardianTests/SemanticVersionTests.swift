import Testing
@testable import ReleaseGuardian

/// Examples from the SemVer 2.0.0 specification and its official regex test suite.
struct SemanticVersionTests {
    static let valid = [
        "0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid", "1.0.0-alpha",
        "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1", "1.0.0-alpha0.valid",
        "1.0.0-alpha.0valid", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", "1.0.0-rc.1+build.1",
        "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123", "1.0.0", "2.0.0", "1.1.7",
        "2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-alpha+beta", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
        "1.2.3----R-S.12.9.1--.12+meta", "1.2.3----RC-SNAPSHOT.12.9.1--.12", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
        "99999999999999999999999.999999999999999999.99999999999999999", "1.0.0-0A.is.legal",
    ]

    static let invalid = [
        "", "1", "1.2", "1.2.3-0123", "1.2.3-0123.0123", "1.1.2+.123", "+invalid", "-invalid", "-invalid+invalid",
        "-invalid.01", "alpha", "alpha.beta", "alpha.beta.1", "alpha.1", "alpha+beta", "alpha_beta", "alpha.",
        "alpha..", "beta", "1.0.0-alpha_beta", "-alpha.", "1.0.0-alpha..", "1.0.0-alpha..1", "1.0.0-alpha...1",
        "01.1.1", "1.01.1", "1.1.01", "1.2.3.DEV", "1.2-SNAPSHOT", "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
        "1.2-RC-SNAPSHOT", "-1.0.3-gamma+b7718", "+justmeta", "9.8.7+meta+meta", "9.8.7-whatever+meta+meta",
        "99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12",
        " 1.2.3", "1.2.3 ", "1.2.3-", "1.2.3+", "1.2.3-a+", "１.2.3",
    ]

    @Test(arguments: valid)
    func acceptsTheSpecificationsValidVersions(_ text: String) throws {
        let version = try SemanticVersion(parsing: text)
        #expect(version.description == text)
    }

    @Test(arguments: invalid)
    func refusesTheSpecificationsInvalidVersions(_ text: String) {
        #expect(throws: SemanticVersionError.self) { try SemanticVersion(parsing: text) }
    }

    @Test func ordersBySpecificationPrecedence() throws {
        let chain: [SemanticVersion] = try [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
        ].map { try SemanticVersion(parsing: $0) }
        for (lower, higher) in zip(chain, chain.dropFirst()) {
            #expect(SemanticVersion.compare(lower, higher) == -1, "\(lower) < \(higher)")
            #expect(SemanticVersion.compare(higher, lower) == 1, "\(higher) > \(lower)")
        }
    }

    @Test func ignoresBuildMetadataInPrecedence() throws {
        let a = try SemanticVersion(parsing: "1.0.0+build.1")
        let b = try SemanticVersion(parsing: "1.0.0+build.2")
        #expect(SemanticVersion.compare(a, b) == 0)
        #expect(a != b)
    }

    @Test func comparesNumbersOfAnyLengthWithoutOverflow() throws {
        let huge = try SemanticVersion(parsing: "18446744073709551616.0.0")  // UInt64.max + 1
        let max = try SemanticVersion(parsing: "18446744073709551615.0.0")
        let longer = try SemanticVersion(parsing: "100000000000000000000000000.0.0")
        #expect(max < huge)
        #expect(huge < longer)
        let pre = try SemanticVersion(parsing: "1.0.0-99999999999999999999999")
        let pre2 = try SemanticVersion(parsing: "1.0.0-100000000000000000000000")
        #expect(pre < pre2)
        #expect(SemanticVersion.compare(longer, try SemanticVersion(parsing: "100000000000000000000000000.0.0")) == 0)
    }

    @Test func numericIdentifiersSortBelowAlphanumericOnes() throws {
        #expect(try SemanticVersion(parsing: "1.0.0-1") < SemanticVersion(parsing: "1.0.0-a"))
        #expect(try SemanticVersion(parsing: "1.0.0-Z") < SemanticVersion(parsing: "1.0.0-a"))  // ASCII order
    }

    @Test func computesSuccessorsOnDigitsWithCarry() {
        #expect(SemanticVersion.Numeric("9")!.successor.digits == "10")
        #expect(SemanticVersion.Numeric("1299")!.successor.digits == "1300")
        #expect(SemanticVersion.Numeric("99999999999999999999")!.successor.digits == "100000000000000000000")
    }

    @Test func explainsWhyAVersionIsInvalid() {
        #expect(throws: SemanticVersionError.leadingZero(part: "major version", value: "01")) {
            try SemanticVersion(parsing: "01.2.3")
        }
        #expect(throws: SemanticVersionError.notThreeNumbers("1.2")) { try SemanticVersion(parsing: "1.2") }
    }

    @Test func acceptsAVPrefixOnlyWhereAsked() throws {
        #expect(try SemanticVersion(parsingAllowingPrefix: "v1.2.3").description == "1.2.3")
        #expect(throws: SemanticVersionError.self) { try SemanticVersion(parsing: "v1.2.3") }
        #expect(throws: SemanticVersionError.self) { try SemanticVersion(parsingAllowingPrefix: "V1.2.3") }
    }
}

struct TagNameTests {
    @Test(arguments: ["v1.2.3", "v0.1.0", "v1.4.0-rc.1", "v123456789012345678901234.0.0"])
    func recognisesReleaseTags(_ name: String) {
        #expect(TagName(name).version != nil)
    }

    @Test(arguments: ["V1.2.3", "1.2.3", "v1.2", "v01.2.3", "v1.2.3+build.5", "v1.2.3-", "v1", "2024.01.01", "v1.2.3.4"])
    func flagsVersionTagsThatAreNotReleaseTags(_ name: String) {
        guard case .malformedVersion = TagName(name) else {
            Issue.record("\(name) should be a malformed version tag")
            return
        }
    }

    @Test(arguments: ["latest", "deploy-2024", "vendor", "v", "release-1.0", "x1.2.3"])
    func leavesOtherTagsUnguarded(_ name: String) {
        #expect(TagName(name) == .unversioned)
    }

    @Test func suggestsTheReleaseTagAMalformedOneMeant() {
        #expect(TagName("V1.2.3") == .malformedVersion(reason: "release tags start with a lowercase 'v'", suggestion: "v1.2.3"))
        guard case .malformedVersion(_, let suggestion) = TagName("v01.02.3") else {
            Issue.record("not malformed")
            return
        }
        #expect(suggestion == "v1.2.3")
    }
}
