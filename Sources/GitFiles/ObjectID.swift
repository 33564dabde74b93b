/// A SHA-1 object id, 20 bytes (libgit2 1.5 reads SHA-1 repositories only; a repository of
/// another object format is refused by `RepositoryLayout`'s format check).
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    /// The 20 bytes, big-endian in three words so that equality and hashing are cheap.
    private let high: UInt64, middle: UInt64, low: UInt32

    /// From the 20 raw bytes.
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 20, "an object id has 20 bytes")
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        middle = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        low = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    /// From the 20 raw bytes.
    public init(bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { ObjectID(bytes: $0) }
    }

    /// Parses 40 hexadecimal digits (either case); anything else is nil.
    public init?(hex: String) {
        var text = hex
        guard let id = text.withUTF8({ ObjectID(hexBytes: UnsafeBufferPointer(rebasing: $0[...])) }) else { return nil }
        self = id
    }

    /// Parses 40 hexadecimal digits given as bytes; anything else is nil. Eight digits at a time
    /// and no allocation: a remote's advertisement at 100k tags has 200k ids to read.
    public init?(hexBytes: UnsafeBufferPointer<UInt8>) {
        guard hexBytes.count == 40, let base = hexBytes.baseAddress, PackedRefs.isHex(base, count: 40) else { return nil }
        let raw = UnsafeRawPointer(base)
        /// The value of eight hexadecimal digits: per byte, a digit's low four bits, plus 9 for a
        /// letter (bit 6 set: `a` is 0x61, 1 + 9 = 10); then the nibbles packed, first digit highest.
        @inline(__always) func word(_ offset: Int) -> UInt64 {
            let text = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            var value = ((text & 0x0F0F_0F0F_0F0F_0F0F) &+ ((text >> 6) & 0x0101_0101_0101_0101) &* 9).byteSwapped
            value = (value | value >> 4) & 0x00FF_00FF_00FF_00FF
            value = (value | value >> 8) & 0x0000_FFFF_0000_FFFF
            return (value | value >> 16) & 0x0000_0000_FFFF_FFFF
        }
        high = word(0) << 32 | word(8)
        middle = word(16) << 32 | word(24)
        low = UInt32(word(32))
    }

    /// The 20 raw bytes.
    public var bytes: [UInt8] {
        var result = [UInt8](repeating: 0, count: 20)
        result.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: middle.bigEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: low.bigEndian, toByteOffset: 16, as: UInt32.self)
        }
        return result
    }

    /// The all-zero id git uses for "no object".
    public var isZero: Bool { high == 0 && middle == 0 && low == 0 }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The first 7 digits, as git abbreviates in messages.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }
}
