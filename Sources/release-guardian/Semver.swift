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
                let status = Self.validate(versions, json: output.json)
                if status != 0 { throw ExitCode(status) }
            }

            /// The check itself, shared with the start-up shortcut in main.swift. Returns the exit status.
            static func validate(_ versions: [String], json: Bool) -> Int32 {
                var results: [VersionCheck] = []
                for text in versions {
                    do {
                        _ = try SemanticVersion(parsingAllowingPrefix: text)
                        results.append(VersionCheck(version: text, valid: true, reason: nil))
                    } catch {
                        results.append(VersionCheck(version: text, valid: false, reason: error.description))
                    }
                }
                if json {
                    Terminal.json(results)
                } else {
                    // One write per stream, not one per version.
                    var valid = "", invalid = ""
                    for result in results {
                        if let reason = result.reason {
                            invalid += "\(result.version): not valid SemVer 2.0.0: \(reason).\n"
                        } else {
                            valid += "\(result.version): valid\n"
                        }
                    }
                    if !valid.isEmpty { Terminal.out(String(valid.dropLast())) }
                    if !invalid.isEmpty { Terminal.error(String(invalid.dropLast())) }
                }
                return results.contains(where: { !$0.valid }) ? 1 : 0
            }

            /// `semver valid [--json] [--] VERSION…` recognised without ArgumentParser, whose
            /// parsing of a long argument list is quadratic (20k versions: over a minute). nil for
            /// anything else (an option, no version), which ArgumentParser then handles.
            static func plainInvocation(_ arguments: [String]) -> (versions: [String], json: Bool)? {
                guard arguments.count > 2, arguments[0] == "semver", arguments[1] == "valid" else { return nil }
                var versions: [String] = []
                var json = false
                var optionsEnded = false
                for argument in arguments.dropFirst(2) {
                    if optionsEnded || !argument.hasPrefix("-") {
                        versions.append(argument)
                    } else if argument == "--" {
                        optionsEnded = true
                    } else if argument == "--json" {
                        json = true
                    } else {
                        return nil
                    }
                }
                return versions.isEmpty ? nil : (versions, json)
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
