import CZlib

/// The kinds of git objects.
public enum ObjectKind: Sendable, Equatable {
    case commit, tree, blob, tag, other
}

/// Loose objects (`objects/ab/cdef…`, zlib), read only as far as their header: a tag just made
/// is loose, and its kind and target are all a check of it needs.
public enum LooseObjects {
    /// The object's kind and the first bytes of its body (enough for a tag's header lines), or
    /// nil when it is not a loose object in `directories` that these readers understand.
    public static func header(of id: ObjectID, in directories: [String]) -> (kind: ObjectKind, body: ArraySlice<UInt8>)? {
        let hex = id.hex
        for directory in directories {
            guard let compressed = SmallFile.bytes(directory + hex.prefix(2) + "/" + hex.dropFirst(2)) else { continue }
            guard let inflated = inflatePrefix(compressed, limit: 512),
                let space = inflated.firstIndex(of: UInt8(ascii: " ")), let nul = inflated.firstIndex(of: 0), space < nul
            else { return nil }
            let kind: ObjectKind
            switch String(decoding: inflated[..<space], as: UTF8.self) {
            case "commit": kind = .commit
            case "tree": kind = .tree
            case "blob": kind = .blob
            case "tag": kind = .tag
            default: return nil
            }
            return (kind, inflated[(nul + 1)...])
        }
        return nil
    }

    /// The object a tag points at and that object's kind, from the tag's first lines
    /// (`object <hex>\ntype <type>\n…`), or nil when they are not as git writes them.
    public static func tagTarget(_ body: ArraySlice<UInt8>) -> (id: ObjectID, kind: ObjectKind)? {
        let lines = body.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0].starts(with: "object ".utf8), lines[1].starts(with: "type ".utf8),
            let id = lines[0].dropFirst(7).withUnsafeBufferPointer({ ObjectID(hexBytes: $0) })
        else { return nil }
        switch String(decoding: lines[1].dropFirst(5), as: UTF8.self) {
        case "commit": return (id, .commit)
        case "tree": return (id, .tree)
        case "blob": return (id, .blob)
        case "tag": return (id, .tag)
        default: return nil
        }
    }

    /// The first `limit` bytes that `compressed` inflates to (zlib), or nil if it is not zlib.
    static func inflatePrefix(_ compressed: [UInt8], limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard rg_inflate_init(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: limit)
        var input = compressed
        let produced: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(outputBuffer.count)
                let status = inflate(&stream, Z_SYNC_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { return nil }
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        guard let produced else { return nil }
        return Array(output.prefix(produced))
    }
}
