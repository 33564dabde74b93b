import ArgumentParser
import Foundation
import ReleaseGuardian

extension ReleaseGuardian {
    struct Env: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the environment a ref deploys to (nothing when it deploys nowhere).",
            discussion: """
                REF is a full or short ref name (main, v1.2.0); by default the CI's ref, else the current branch. \
                Exit 0 whether or not REF deploys somewhere; 2 when REF names nothing in this repository, or the \
                repository or its .release-guardian cannot be read; 64 usage error.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, github, gitlab, shell
        }

        @Argument(help: "The ref (default: the CI's ref, else HEAD's branch).", completion: .ref)
        var ref: String?

        @Option(name: .long, help: "text | json | github (appends to $GITHUB_OUTPUT) | gitlab (dotenv) | shell (export lines).")
        var format: Format = .text

        func run() throws {
            let status = Self.env(ref, format: format)
            if status != 0 { throw ExitCode(status) }
        }

        /// The command itself, shared with the start-up shortcut in main.swift. Returns the exit status.
        static func env(_ ref: String?, format: Format) -> Int32 {
            let deployment: Deployment
            do {
                deployment = try Deployment.lookUp(ref, from: currentDirectory)
            } catch {
                return Terminal.fail("\(error)").rawValue
            }
            switch format {
            case .text:
                if let name = deployment.environment { Terminal.out(name) }
            case .json:
                Terminal.json(deployment)
            case .github:
                guard let output = getenv("GITHUB_OUTPUT").map({ String(cString: $0) }), !output.isEmpty else {
                    return Terminal.fail(PublishError.missingVariable("GITHUB_OUTPUT").description).rawValue
                }
                do { try CIPublisher.append(deployment.githubOutputs, to: output) } catch { return Terminal.fail("\(error)").rawValue }
            case .gitlab:
                Terminal.write(deployment.dotenv)
            case .shell:
                Terminal.write(deployment.shellExports)
            }
            return 0
        }

        /// The working directory with getcwd(3) (FileManager's start-up costs more than the lookup).
        private static var currentDirectory: String {
            guard let path = getcwd(nil, 0) else { return FileManager.default.currentDirectoryPath }
            defer { free(path) }
            return String(cString: path)
        }

        /// `env [REF] [--format F]` (in either order) as a pipeline writes it, recognised without
        /// ArgumentParser; nil for anything else (`--format=F`, `--help`, an unknown format, a
        /// second ref, a ref starting with `-`), which ArgumentParser then parses or refuses.
        static func plainInvocation(_ arguments: [String]) -> (ref: String?, format: Format)? {
            guard arguments.first == "env" else { return nil }
            var ref: String?
            var format: Format?
            var rest = arguments.dropFirst()
            while let argument = rest.popFirst() {
                if argument == "--format" {
                    guard format == nil, let value = rest.popFirst(), let given = Format(rawValue: value) else { return nil }
                    format = given
                } else if ref != nil || argument.isEmpty || argument.hasPrefix("-") {
                    return nil
                } else {
                    ref = argument
                }
            }
            return (ref, format ?? .text)
        }
    }
}
