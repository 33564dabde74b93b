import ArgumentParser
import Foundation
import ReleaseGuardian

/// Shell completion of the arguments that name something in the repository (ArgumentParser
/// calls these when the shell asks: `release-guardian ---completion …`).
extension CompletionKind {
    /// A release tag to go back to, or `previous`.
    static let releaseTag = CompletionKind.custom { _, _, prefix in
        ("previous".hasPrefix(prefix) ? ["previous"] : []) + CompletionWords.releaseTags(from: currentDirectory, prefix: prefix)
    }

    /// A branch or a tag.
    static let ref = CompletionKind.custom { _, _, prefix in CompletionWords.refs(from: currentDirectory, prefix: prefix) }

    /// An environment of the repository's settings.
    static let environment = CompletionKind.custom { _, _, prefix in
        CompletionWords.environments(from: currentDirectory, prefix: prefix)
    }

    private static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}
