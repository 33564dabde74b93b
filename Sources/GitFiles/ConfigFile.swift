/// The strict git-config file reader of the fast path: it never accepts what git rejects, and
/// answers `.unknown` for what it does not handle, so the caller asks git or libgit2, which then
/// read the file (and name its line when it is malformed).
///
/// It reads the plain subset of git-config syntax as git reads it (config.c): `[section]`,
/// `[section "subsection"]`, `key = value`, a bare `key` (true), comments, blank lines, CRLF
/// line ends. A value's unquoted spaces and tabs inside it become one space each, at its ends
/// they go. Anything else (quotes and escapes in values, a backslash in a subsection, a key on a
/// header's line, `[section.sub]`, a key before any section, a lone CR, NUL, includes) makes
/// `parse` answer `.unknown`, and so does anything git refuses (`[release ]`, `key # comment`,
/// non-ASCII in a name): the caller then asks git or libgit2. A differential test holds it to
/// `git config -f FILE --list` on generated texts.
public enum ConfigFile {
    public struct Entry: Equatable, Sendable {
        public let section: String
        public let subsection: String?
        public let key: String
        /// nil for a bare key (no `=`), which git reads as true; `key =` is the empty string,
        /// which git reads as false.
        public let value: String?

        /// The name as libgit2 gives it: `section.subsection.key`, section and key lowercased.
        public var name: String { subsection.map { section + "." + $0 + "." + key } ?? section + "." + key }
    }

    public static func parse(_ text: String) -> Answer<[Entry]> {
        parseEntries(text).map(Answer.known) ?? .unknown
    }

    static func parseEntries(_ text: String) -> [Entry]? {
        var entries: [Entry] = []
        var section: String?
        var subsection: String?
        let bytes = Array(text.utf8)
        guard !bytes.contains(0) else { return nil }
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            // CR LF ends a line as LF does; a CR at the very end (no LF after it) does not.
            let line = rawLine.last == UInt8(ascii: "\r") && rawLine.endIndex < bytes.endIndex ? rawLine.dropLast() : rawLine
            if line.contains(UInt8(ascii: "\r")) { return nil }  // a lone CR: git reads it as a space
            // Other control characters (\v, \f, DEL...): git and libgit2 differ on what is a space.
            if line.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) { return nil }
            var index = line.startIndex
            func skipBlanks() { while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 } }
            skipBlanks()
            guard index < line.endIndex, line[index] != UInt8(ascii: "#"), line[index] != UInt8(ascii: ";") else { continue }
            if line[index] == UInt8(ascii: "[") {
                index += 1
                let nameStart = index
                while index < line.endIndex, isKeyCharacter(line[index]) { index += 1 }
                guard index > nameStart, index < line.endIndex else { return nil }
                let name = String(decoding: line[nameStart..<index], as: UTF8.self).lowercased()
                var sub: String?
                if line[index] == 0x20 || line[index] == 0x09 {
                    skipBlanks()
                    guard index < line.endIndex, line[index] == UInt8(ascii: "\"") else { return nil }
                    index += 1
                    let subStart = index
                    while index < line.endIndex, line[index] != UInt8(ascii: "\""), line[index] != UInt8(ascii: "\\") { index += 1 }
                    guard index < line.endIndex, line[index] == UInt8(ascii: "\"") else { return nil }
                    sub = String(decoding: line[subStart..<index], as: UTF8.self)
                    index += 1
                }
                guard index < line.endIndex, line[index] == UInt8(ascii: "]") else { return nil }
                index += 1
                skipBlanks()
                // git reads on after `]`: a key there is valid but not plain.
                guard index == line.endIndex || line[index] == UInt8(ascii: "#") || line[index] == UInt8(ascii: ";") else { return nil }
                if name == "include" || name == "includeif" { return nil }
                (section, subsection) = (name, sub)
                continue
            }
            // `key`, `key = value`: a key starts with a letter, then letters, digits and '-'.
            guard let section, isLetter(line[index]) else { return nil }
            let keyStart = index
            while index < line.endIndex, isKeyCharacter(line[index]) { index += 1 }
            let key = String(decoding: line[keyStart..<index], as: UTF8.self).lowercased()
            skipBlanks()
            guard index < line.endIndex else {
                entries.append(Entry(section: section, subsection: subsection, key: key, value: nil))
                continue
            }
            guard line[index] == UInt8(ascii: "=") else { return nil }
            index += 1
            var value: [UInt8] = []
            var pending: [UInt8] = []
            while index < line.endIndex {
                let byte = line[index]
                index += 1
                if byte == 0x20 || byte == 0x09 {
                    if !value.isEmpty { pending.append(byte) }
                    continue
                }
                if byte == UInt8(ascii: "#") || byte == UInt8(ascii: ";") { break }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return nil }
                // A tab inside a value: git reads a space, libgit2 the tab. Leave it to libgit2,
                // so that both of this tool's paths read the same.
                if pending.contains(0x09) { return nil }
                value += pending
                pending = []
                value.append(byte)
            }
            entries.append(Entry(section: section, subsection: subsection, key: key, value: String(decoding: value, as: UTF8.self)))
        }
        return entries
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    private static func isKeyCharacter(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "-")
    }
}
