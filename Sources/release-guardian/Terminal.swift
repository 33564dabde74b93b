import Foundation

/// stdout for results, stderr for diagnostics, colour only on a terminal that wants it.
enum Terminal {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static let stderrHasColour: Bool = {
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"].map { $0 != "dumb" } ?? false
            && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }()

    static func red(_ text: String) -> String { stderrHasColour ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    static func bold(_ text: String) -> String { stderrHasColour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    /// Prints a could-not-run diagnostic and exits 2.
    static func fail(_ message: String) -> ExitCode {
        error("release-guardian: error: \(message)")
        return ExitCode(2)
    }

    static func json<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        out(String(decoding: data, as: UTF8.self))
    }
}

import ArgumentParser
