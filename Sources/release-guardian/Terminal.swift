import ArgumentParser
import Foundation
import ReleaseGuardian

/// stdout for results, stderr for diagnostics, colour only on a terminal that wants it. Every
/// line goes through `Secrets.redacted` on its way out: no credential of a URL reaches a
/// terminal or a CI log, whichever message carried it.
enum Terminal {
    /// All of standard input (git's hook lines), read with plain `read(2)`: FileHandle costs
    /// more start-up than the whole check of a push of branches.
    static func readStandardInput() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func out(_ text: String) {
        write(Secrets.redacted(text) + "\n")
    }

    static func error(_ text: String) {
        write(Secrets.redacted(text) + "\n", to: STDERR_FILENO)
    }

    /// `text` with its control characters (but line breaks and tabs) shown as `?`: what comes
    /// from the ledger or a remote (anyone who can push writes it) cannot move the cursor, retitle
    /// the terminal or write to the clipboard with escape sequences.
    static func inert(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    let value = scalar.value
                    let control = (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
                    return control ? "?" : scalar
                }))
    }

    /// `text` as it is (no redaction, no line end added: `env`'s shell and dotenv lines), with
    /// plain `write(2)`: FileHandle and Data cost more start-up than the whole of `env`.
    static func write(_ text: String, to descriptor: Int32 = STDOUT_FILENO) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// A question on stderr, the answer to be typed on the same line.
    static func prompt(_ text: String) {
        write(Secrets.redacted(text), to: STDERR_FILENO)
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

    /// A refused push on stderr: each violation's rule, ref, why, and fix.
    static func printRefusal(_ violations: [Violation], outcome: String = "nothing was pushed") {
        let count = violations.count == 1 ? "1 violation" : "\(violations.count) violations"
        var lines = [red(bold("release-guardian: push refused (\(count)); \(outcome)."))]
        for violation in violations {
            lines.append("  [\(violation.rule.rawValue)] \(violation.ref): \(violation.message)")
            lines.append("    fix: \(violation.fix)")
        }
        error(lines.joined(separator: "\n"))
    }

    static func json<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        out(String(decoding: data, as: UTF8.self))
    }
}
