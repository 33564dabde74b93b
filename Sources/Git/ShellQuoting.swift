/// The one function that makes a word safe to paste into a POSIX shell: as it is when it holds
/// only characters no shell gives a meaning to, else in single quotes (a `'` inside written
/// `'\''`). Every command release-guardian prints builds its names with it.
public func shellQuoted(_ word: String) -> String {
    let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "-_./:@%+=,".unicodeScalars.contains(scalar)
    }
    return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
