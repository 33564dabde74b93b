/// The one function that makes a word safe to paste into a POSIX shell: as it is when it holds
/// only characters no shell gives a meaning to, else in single quotes (a `'` inside written
/// `'\''`). A word with a character outside printable ASCII (an invisible one, a look-alike) is
/// written `"$(printf -- '\342\200\213v1.1.0')"`, so what is pasted is what is seen. Every command
/// release-guardian prints builds its names with it.
public func shellQuoted(_ word: String) -> String {
    let plain =
        !word.isEmpty
        && word.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "-_./:@%+=,".unicodeScalars.contains(scalar)
        }
    if plain { return word }
    if word.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    // Octal escapes for every byte but letters, digits and a few safe marks: printf in dash and
    // bash alike reads them, and `%`, `\` and `'` never reach its format unescaped.
    var format = ""
    for byte in word.utf8 {
        let isSafe =
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
            || "-_./:@+=,".utf8.contains(byte)
        if isSafe {
            format.append(Character(Unicode.Scalar(byte)))
        } else {
            let octal = String(byte, radix: 8)
            format += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
        }
    }
    return "\"$(printf -- '" + format + "')\""
}
