import Foundation
import ReleaseGuardian

/// A network operation's progress on one line of the terminal, redrawn in place (`\r`) at most
/// ten times a second: libgit2 reports every object, which printed line by line made 80,000
/// lines for one fetch. Anything else printed first ends the line (`end`), showing its last state.
final class ProgressLine: @unchecked Sendable {
    /// Between two redraws, in nanoseconds.
    static let interval: UInt64 = 100_000_000

    private let lock = NSLock()
    private let write: (String) -> Void
    /// The width drawn last (the next redraw blanks what it does not cover), nil when no line is open.
    private var drawnWidth: Int?
    private var lastDraw: UInt64 = 0
    /// The newest text not drawn yet (it came too soon after the last redraw).
    private var pending: String?

    init(write: @escaping (String) -> Void = { Terminal.write($0, to: STDERR_FILENO) }) {
        self.write = write
    }

    func update(_ text: String) {
        lock.withLock {
            let now = DispatchTime.now().uptimeNanoseconds
            guard drawnWidth == nil || now &- lastDraw >= Self.interval else {
                pending = text
                return
            }
            draw(text, at: now)
        }
    }

    /// Ends an open line with its newest state and a line break; nothing when none is open.
    func end() {
        lock.withLock {
            guard drawnWidth != nil else { return }
            if let pending { draw(pending, at: lastDraw) }
            write("\n")
            drawnWidth = nil
            pending = nil
        }
    }

    private func draw(_ text: String, at time: UInt64) {
        let line = "   " + Terminal.inert(Secrets.redacted(text)).replacingOccurrences(of: "\n", with: " ")
        let width = line.count
        write("\r" + line + String(repeating: " ", count: max(0, (drawnWidth ?? 0) - width)))
        drawnWidth = width
        lastDraw = time
        pending = nil
    }
}
