// Shared by every fuzz target: a broken invariant is a crash libFuzzer reports and saves.
// FUZZ_KEEP_GOING=1 prints every broken invariant and goes on instead, to survey a family of bugs.
import Foundation

private let keepGoing = ProcessInfo.processInfo.environment["FUZZ_KEEP_GOING"] == "1"

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        FileHandle.standardError.write(Data("invariant broken: \(message())\n".utf8))
        if !keepGoing { abort() }
    }
}
