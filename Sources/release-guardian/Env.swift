import ArgumentParser
import Foundation
import Git
import ReleaseGuardian

extension ReleaseGuardian {
    struct Env: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the environment a ref deploys to (nothing when none; exit 0 both ways).",
            discussion: "REF is a full or short ref name (main, v1.2.0); by default the CI's ref, else the current branch.")

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text, json, github, gitlab, shell
        }

        @Argument(help: "The ref (default: the CI's ref, else HEAD's branch).")
        var ref: String?

        @Option(name: .long, help: "text | json | github (appends to $GITHUB_OUTPUT) | gitlab (dotenv) | shell (export lines).")
        var format: Format = .text

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let deployment: Deployment
            do {
                let repository = try Repository.discover(from: FileManager.default.currentDirectoryPath)
                let settings = try Settings.load(for: repository)
                deployment = Deployment(ref: try RefResolver.resolve(ref, in: RepositoryReader(repository), environment: { environment[$0] }), settings: settings)
            } catch let error as GitError {
                throw Terminal.fail("not in a git repository: \(error.message)")
            } catch {
                throw Terminal.fail("\(error)")
            }
            switch format {
            case .text:
                if let name = deployment.environment { Terminal.out(name) }
            case .json:
                Terminal.json(deployment)
            case .github:
                guard let output = environment["GITHUB_OUTPUT"], !output.isEmpty else {
                    throw Terminal.fail(PublishError.missingVariable("GITHUB_OUTPUT").description)
                }
                do { try CIPublisher.append(deployment.githubOutputs, to: output) } catch { throw Terminal.fail("\(error)") }
            case .gitlab:
                FileHandle.standardOutput.write(Data(deployment.dotenv.utf8))
            case .shell:
                FileHandle.standardOutput.write(Data(deployment.shellExports.utf8))
            }
        }
    }
}
