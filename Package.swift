// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "release-guardian",
    products: [
        .executable(name: "release-guardian", targets: ["release-guardian"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // HMAC-SHA1, for the hashed host names of known_hosts.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libgit2's headers from the system (Debian: libgit2-dev). Not linked: CLibGit2Loader
        // defines its functions and loads libgit2 on the first call.
        .systemLibrary(name: "CLibGit2", providers: [.apt(["libgit2-dev"])]),
        // libgit2 loaded when first called, not at every start (3.5 ms with its libraries, more
        // than the pre-push hook's whole check of a push of branches, which never calls it).
        .target(name: "CLibGit2Loader", linkerSettings: [.linkedLibrary("dl")]),
        // zlib (Debian: zlib1g-dev, which libgit2-dev requires), to read loose objects directly.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Plain readers of a repository's files (layout, packed-refs, loose refs and objects,
        // config files), no libgit2: the hook's fast path. Each answers or says "unknown".
        .target(name: "GitFiles", dependencies: ["CZlib"]),
        // The only target that talks to libgit2: a safe Swift face, mechanism only.
        .target(name: "Git", dependencies: ["CLibGit2", "CLibGit2Loader", "GitFiles"]),
        // libcurl's headers from the system (Debian: libcurl4-openssl-dev) and the few functions the
        // notices call, under names of their own. Not linked: loaded on the first notice (linked,
        // libcurl and its 30-odd libraries cost about 6 ms at every start, more than the pre-push
        // hook's whole check of a push of branches, which never sends one).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        // One HTTP POST through libcurl, mechanism only; what a notice is lives in the domain.
        .target(name: "Curl", dependencies: ["CCurl"]),
        // The domain: SemVer, rules, hook input, configuration, hook installation.
        .target(
            name: "ReleaseGuardian",
            dependencies: ["Git", "GitFiles", "Curl", .product(name: "Crypto", package: "swift-crypto")]),
        // One file per command; parses, calls the domain, prints. It imports ReleaseGuardian,
        // never Git or GitFiles: with MemberImportVisibility even a member of their types (an
        // ObjectID's `short`) is out of its reach, so the compiler keeps the arrows one way.
        .executableTarget(
            name: "release-guardian",
            dependencies: [
                "ReleaseGuardian",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // Scratch repositories built with the real git CLI, shared by the test targets; Git only
        // to keep libgit2 in the test process from the host's git configuration (HostIsolation).
        .target(name: "TestSupport", dependencies: ["Git"], path: "Tests/TestSupport", exclude: ["Servers", "RealHistories"]),
        .testTarget(name: "GitTests", dependencies: ["Git", "GitFiles", "TestSupport"]),
        .testTarget(name: "ReleaseGuardianTests", dependencies: ["ReleaseGuardian", "Git", "GitFiles", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
