import Testing
@testable import ReleaseGuardian

struct EnvironmentTests {
    func settings(_ file: [(String, String)]) throws -> Settings {
        var values = RawValues()
        values.merge(file.map { .init(name: $0.0, value: $0.1) }, source: ".release-guardian")
        return try Settings(values)
    }

    @Test(
        arguments: [
            ("refs/heads/main", "preprod"), ("refs/tags/v1.2.0", "prod"), ("refs/heads/release/v1.2.0", "prod"),
            ("refs/tags/v1.3.0-rc.1", nil), ("refs/heads/feature/x", nil), ("refs/tags/nightly", nil),
            ("refs/tags/V1.2.0", nil), ("refs/heads/release/v1.2", nil), ("refs/pull/3/merge", nil),
        ] as [(String, String?)])
    func mapsRefsByDefault(_ ref: String, _ environment: String?) {
        #expect(Deployment(ref: ref, settings: Settings()).environment == environment)
    }

    @Test func carriesTheVersionOfReleaseRefs() {
        #expect(Deployment(ref: "refs/tags/v1.2.0", settings: Settings()).version == "1.2.0")
        #expect(Deployment(ref: "refs/tags/v1.3.0-rc.1", settings: Settings()).version == "1.3.0-rc.1")
        #expect(Deployment(ref: "refs/heads/release/v1.0.0", settings: Settings()).version == "1.0.0")
        #expect(Deployment(ref: "refs/heads/main", settings: Settings()).version == nil)
    }

    @Test func usesConfiguredEnvironmentsInOrderWithTheirTargets() throws {
        let settings = try settings([
            ("environment.staging.ref", "refs/tags/v*-rc.*"),
            ("environment.staging.target", "staging-app master"),
            ("environment.preprod.target", "preprod-scheduler master"),
            ("environment.preprod.target", "preprod-webserver master"),
            ("environment.prod.ref", "release-tags"),
            ("environment.prod.target", "prod-interface master"),
            ("release.main", "trunk"),
        ])
        #expect(settings.environments.map(\.name) == ["staging", "preprod", "prod"])
        let rc = Deployment(ref: "refs/tags/v1.3.0-rc.1", settings: settings)
        #expect(rc.environment == "staging")
        #expect(rc.targets == [DeployTarget(remote: "staging-app", branch: "master")])
        let trunk = Deployment(ref: "refs/heads/trunk", settings: settings)
        #expect(trunk.environment == "preprod")
        #expect(trunk.targets.map(\.remote) == ["preprod-scheduler", "preprod-webserver"])
        #expect(Deployment(ref: "refs/heads/main", settings: settings).environment == nil)
        #expect(
            Deployment(ref: "refs/tags/v1.3.0", settings: settings).targets == [DeployTarget(remote: "prod-interface", branch: "master")])
    }

    @Test func keepsPreReleasesOutOfAGenericGlob() throws {
        let settings = try settings([("environment.prod.ref", "refs/tags/v*")])
        #expect(Deployment(ref: "refs/tags/v1.3.0", settings: settings).environment == "prod")
        #expect(Deployment(ref: "refs/tags/v1.3.0-rc.1", settings: settings).environment == nil)
    }

    @Test func refusesMalformedEnvironmentSettings() {
        // Each refused for the key and value at fault, not for just any configuration error.
        for (file, key, value) in [
            ([("environment.prod.target", "prod-interface")], "environment.prod.target", "prod-interface"),  // no branch
            ([("environment.prod.ref", "main")], "environment.prod.ref", "main"),  // not a full ref name
            ([("environment.qa.target", "qa master")], "environment.qa.ref", ""),  // no ref, and no default for qa
        ] {
            let error = #expect(throws: ConfigurationError.self) { try settings(file) }
            if case .invalidValue(let refusedKey, let refusedValue, _, _)? = error {
                #expect(refusedKey == key && refusedValue == value, "\(file): \(String(describing: error))")
            } else if let error {
                Issue.record("\(file) refused for another reason: \(error)")
            }
        }
    }
}
