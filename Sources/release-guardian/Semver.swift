import ArgumentParser
import ReleaseGuardian

extension ReleaseGuardian {
    struct Semver: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Strict SemVer 2.0.0: validate and compare versions (1.2.3 or v1.2.3).",
            subcommands: [Valid.self, Compare.self]
        )

        struct Valid: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Exit 0 when every version is valid SemVer 2.0.0, 1 otherwise (and say why).")

            @Argument(help: "Versions to check; put `--` before versions that start with '-'.")
            var versions: [String]

            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard !versions.isEmpty else { throw ValidationError("give at least one version") }
            }

            func run() throws {
                var results: [VersionCheck] = []
                for text in versions {
                    do {
                        _ = try SemanticVersion(parsingAllowingPrefix: text)
                        results.append(VersionCheck(version: text, valid: true, reason: nil))
                    } catch {
                        results.append(VersionCheck(version: text, valid: false, reason: error.description))
                    }
                }
                if output.json {
                    Terminal.json(results)
                } else {
                    for result in results {
                        if let reason = result.reason {
                            Terminal.error("\(result.version): not valid SemVer 2.0.0: \(reason).")
                        } else {
                            Terminal.out("\(result.version): valid")
                        }
                    }
                }
                if results.contains(where: { !$0.valid }) { throw ExitCode(1) }
            }
        }

        struct Compare: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print -1, 0 or 1 as A is lower than, equal to or higher than B by SemVer precedence.")

            @Argument(help: "First version.") var a: String
            @Argument(help: "Second version.") var b: String

            func run() throws {
                let lhs: SemanticVersion
                let rhs: SemanticVersion
                do {
                    lhs = try SemanticVersion(parsingAllowingPrefix: a)
                    rhs = try SemanticVersion(parsingAllowingPrefix: b)
                } catch {
                    Terminal.error("release-guardian: error: not a SemVer 2.0.0 version: \(error).")
                    throw ExitCode(64)
                }
                Terminal.out("\(SemanticVersion.compare(lhs, rhs))")
            }
        }
    }
}

struct VersionCheck: Encodable {
    let version: String
    let valid: Bool
    let reason: String?
}
