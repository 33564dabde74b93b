import CLibGit2
import Glibc

/// The refs a remote advertises when a fetch connects (what `git_remote_ls` lists), as the bytes
/// the server sent: names and ids are read in place, with no `String` per ref.
///
/// Why not libgit2's own listing: libgit2 1.5 parses the advertisement one pkt-line at a time
/// out of a 64 KiB buffer, and after each line moves the rest of the buffer down and clears the
/// free part (`gitno_consume`): at 100k annotated tags (200k lines with their peeled values) that
/// alone takes 0.3 s, where the server needs about 0.1 s to send them. So for the smart
/// transports (git, ssh, http: `AdvertisementCapture.Transport`) the connection goes through
/// libgit2's own subtransport for the URL (the same sockets, TLS, credentials and host-key
/// checks) wrapped in one that reads the advertisement in full, keeps it, and hands libgit2 only
/// its first line (the capabilities) or the refs a fetch names. Local paths and `file://`
/// remotes go through libgit2's local transport and `git_remote_ls`, as before.
public struct RefAdvertisement: Sendable {
    enum Storage: Sendable {
        /// The advertisement's pkt-lines of refs (`bytes[refs]`, `count` of them), each checked
        /// when read.
        case wire(bytes: WireBytes, refs: Range<Int>, count: Int)
        /// What libgit2 listed.
        case heads([RemoteHead])
    }

    let storage: Storage

    /// Calls `body` with each advertised ref in the server's order: its name (a peeled value of
    /// an annotated tag comes as `refs/tags/X^{}`) and its id, as `git_remote_ls` lists them.
    public func forEach<E: Error>(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ id: ObjectID) throws(E) -> Void) throws(E) {
        switch storage {
        case .heads(let heads):
            for head in heads {
                var name = head.name
                try name.withUTF8Typed { bytes throws(E) in try body(bytes, head.id) }
            }
        case .wire(let bytes, let refs, let count):
            let buffer = bytes.buffer
            var position = refs.lowerBound
            while position < refs.upperBound {
                let length = PacketLine.length(buffer, at: position)!
                let payload = UnsafeBufferPointer(rebasing: buffer[(position + 4)..<(position + length)])
                let (name, id) = PacketLine.ref(payload)!
                // An empty repository advertises only its capabilities, on a line libgit2 drops.
                if !(count == 1 && id.isZero && name.elementsEqual("capabilities^{}".utf8)) { try body(name, id) }
                position += length
            }
        }
    }

    /// Every advertised ref, peeled values included, as `git_remote_ls` lists them.
    public var heads: [RemoteHead] {
        if case .heads(let heads) = storage { return heads }
        var heads: [RemoteHead] = []
        forEach { name, id in heads.append(RemoteHead(name: String(decoding: name, as: UTF8.self), id: id)) }
        return heads
    }
}

/// The bytes of an advertisement, read into directly and grown with `realloc` (which moves a
/// large block by remapping its pages, not by copying them): 10 MB at 100k annotated tags.
/// Written only during the capture, read-only once a `RefAdvertisement` holds it.
final class WireBytes: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity = 1 << 16

    init() {
        base = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(base) }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Room for `size` more bytes at the end, to be committed with `grow(by:)`.
    func room(_ size: Int) -> UnsafeMutableBufferPointer<UInt8> {
        if capacity - count < size {
            capacity = Swift.max(capacity * 2, count + size)
            base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
        }
        return UnsafeMutableBufferPointer(start: base + count, count: size)
    }

    func grow(by added: Int) { count += added }

    subscript(range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[range]) }
}

/// The pkt-line format of git's protocol: four hexadecimal digits of length (its own four bytes
/// included; `0000` is a flush), then the payload.
enum PacketLine {
    /// The length of the pkt-line at `position` (0 for a flush), or nil when the four bytes are
    /// not there yet, are not hexadecimal, or give a length libgit2 refuses (1 to 4).
    static func length(_ buffer: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        guard buffer.count - position >= 4 else { return nil }
        var length = 0
        for index in position..<(position + 4) {
            let byte = buffer[index]
            let digit = byte &- UInt8(ascii: "0")
            let letter = (byte | 0x20) &- UInt8(ascii: "a")
            guard digit < 10 || letter < 6 else { return nil }
            length = length << 4 | Int(digit < 10 ? digit : letter + 10)
        }
        return length == 0 || length > 4 ? length : nil
    }

    /// A ref line as libgit2 reads it (`ref_pkt`): 40 hexadecimal digits, a space, the name, up
    /// to a NUL (the capabilities follow it on the first line) and without a final LF. nil for
    /// anything else, an empty name included (libgit2 takes one; the capture then leaves the
    /// whole advertisement to it). No other kind of line (`ERR`, `#`, sideband) starts with 40
    /// hexadecimal digits.
    static func ref(_ payload: UnsafeBufferPointer<UInt8>) -> (name: UnsafeBufferPointer<UInt8>, id: ObjectID)? {
        guard payload.count > 41, payload[40] == UInt8(ascii: " "),
            let id = ObjectID(hexBytes: UnsafeBufferPointer(rebasing: payload[0..<40]))
        else { return nil }
        var end = payload.count
        if payload[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        let start = payload.baseAddress! + 41
        let nul = memchr(start, 0, end - 41).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) }
        let name = UnsafeBufferPointer(start: start, count: nul.map { $0 - start } ?? end - 41)
        return name.isEmpty ? nil : (name, id)
    }
}

/// Reads a fetch's ref advertisement off the wire for `RefAdvertisement` (see there why), and
/// shows libgit2 a shorter one: its first line (which carries the capabilities, and is all a
/// listing needs) and the refs in `shown` (what a fetch names). Anything it does not read as git
/// protocol v0 (a line of another kind, bytes after the end, a connection that ends early)
/// makes it step aside: libgit2 then gets the advertisement as it came, judges it as it always
/// did, and lists it itself.
final class AdvertisementCapture {
    /// The smart subtransport of libgit2 for a URL, chosen as libgit2 chooses it
    /// (`transport_find_fn`): by scheme, and an scp-like `host:path` over ssh.
    enum Transport {
        case git, ssh, http

        init?(url: String) {
            let lowered = url.lowercased()
            if lowered.hasPrefix("git://") {
                self = .git
            } else if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
                self = .http
            } else if lowered.hasPrefix("ssh://") || lowered.hasPrefix("ssh+git://") || lowered.hasPrefix("git+ssh://") {
                self = .ssh
            } else if !lowered.hasPrefix("file://"), !url.contains("://"), Endpoint(url: url).isSSH {
                self = .ssh
            } else {
                return nil
            }
        }

        /// http is stateless: the advertisement comes after a `# service=…` line and a flush.
        var isStateless: Bool { self == .http }
    }

    let transport: Transport
    /// Refs (full names) libgit2 is shown besides the first line, with their peeled values.
    let shown: Set<[UInt8]>
    /// Called with each ref as it arrives, while the server is still sending the rest.
    var each: ((UnsafeBufferPointer<UInt8>, ObjectID) -> Void)?
    /// How many refs went to `each`.
    private(set) var delivered = 0
    /// What was read, once the capture is complete (nil: libgit2 had it all).
    private(set) var advertisement: RefAdvertisement?

    private let bytes = WireBytes()
    private var captured = false
    /// What libgit2 reads before the connection's own bytes.
    private var handOver: [UInt8] = []
    private var served = 0

    init(transport: Transport, showing shown: Set<String> = []) {
        self.transport = transport
        self.shown = Set(shown.map { Array($0.utf8) })
    }

    /// libgit2's read of the advertisement's stream: the first one reads the advertisement in
    /// full from `inner`; then what libgit2 is shown; then the stream itself (a fetch goes on).
    func read(
        _ inner: UnsafeMutablePointer<git_smart_subtransport_stream>, into buffer: UnsafeMutablePointer<CChar>?, size: Int,
        _ bytesRead: UnsafeMutablePointer<Int>?
    ) -> Int32 {
        if !captured {
            captured = true
            let rc = capture(from: inner)
            guard rc >= 0 else { return rc }
        }
        if served < handOver.count {
            let count = min(size, handOver.count - served)
            handOver.withUnsafeBytes { UnsafeMutableRawPointer(buffer!).copyMemory(from: $0.baseAddress! + served, byteCount: count) }
            served += count
            bytesRead?.pointee = count
            return 0
        }
        return inner.pointee.read(inner, buffer, size, bytesRead)
    }

    private func capture(from inner: UnsafeMutablePointer<git_smart_subtransport_stream>) -> Int32 {
        var scan = Scan(stateless: transport.isStateless)
        while true {
            let outcome = scan.advance(over: bytes.buffer) { name, id in
                each?(name, id)
                delivered += 1
            }
            switch outcome {
            case .needMore:
                break
            case .complete:
                finish(scan)
                return 0
            case .unknown:
                handOver = Array(bytes.buffer)
                return 0
            }
            var count = 0
            // 64 KiB at a time, as libgit2 reads (its git transport clears the whole buffer it
            // is given at each read).
            let room = bytes.room(1 << 16)
            let rc = room.withMemoryRebound(to: CChar.self) { inner.pointee.read(inner, $0.baseAddress, $0.count, &count) }
            guard rc >= 0 else { return rc }  // libgit2's error (a network failure) stands
            guard count > 0 else {
                // The server hung up (after an `ERR` line, say): libgit2 reads what came.
                handOver = Array(bytes.buffer)
                return 0
            }
            bytes.grow(by: count)
        }
    }

    /// What libgit2 is shown: a stateless preamble, the first ref line, the refs in `shown`
    /// (with their peeled lines), a flush.
    private func finish(_ scan: Scan) {
        let refs = scan.refsStart..<(scan.position - 4)
        let buffer = bytes.buffer
        handOver = Array(buffer[0..<refs.lowerBound])
        var position = refs.lowerBound
        while position < refs.upperBound {
            let length = PacketLine.length(buffer, at: position)!
            var keep = position == refs.lowerBound
            if !keep, !shown.isEmpty {
                var name = PacketLine.ref(bytes[(position + 4)..<(position + length)])!.name
                if Bytes.hasSuffix(name, "^{}") { name = UnsafeBufferPointer(rebasing: name.dropLast(3)) }
                keep = shown.contains(Array(name))
            }
            if keep { handOver.append(contentsOf: buffer[position..<(position + length)]) }
            position += length
        }
        handOver.append(contentsOf: "0000".utf8)
        advertisement = RefAdvertisement(storage: .wire(bytes: bytes, refs: refs, count: scan.refCount))
    }

    /// How far the advertisement has been read and checked.
    private struct Scan {
        enum Outcome { case needMore, complete, unknown }

        let stateless: Bool
        /// The next pkt-line.
        var position = 0
        var flushes = 0
        /// Where the ref lines start (after a stateless preamble).
        var refsStart = 0
        var refCount = 0

        init(stateless: Bool) { self.stateless = stateless }

        /// Where a first line of capabilities alone is (`capabilities^{}`, zero id: an empty
        /// repository), handed on only when other refs follow, as libgit2 drops it when it is
        /// alone. An offset: the buffer moves as it grows.
        var capabilitiesLine: Range<Int>?

        /// Checks the pkt-lines that have arrived since the last call; hands each ref to `each`.
        mutating func advance(
            over buffer: UnsafeBufferPointer<UInt8>, _ each: (UnsafeBufferPointer<UInt8>, ObjectID) -> Void
        ) -> Outcome {
            while buffer.count - position >= 4 {
                guard let length = PacketLine.length(buffer, at: position) else { return .unknown }
                if length == 0 {
                    position += 4
                    flushes += 1
                    if stateless && flushes == 1 {
                        refsStart = position
                        continue
                    }
                    // The end: a v0 server says nothing more until the client speaks.
                    return position == buffer.count ? .complete : .unknown
                }
                guard buffer.count - position >= length else { return .needMore }
                let payload = UnsafeBufferPointer(rebasing: buffer[(position + 4)..<(position + length)])
                if stateless && flushes == 0 {
                    // The preamble: one `# service=git-upload-pack` line, then a flush.
                    guard position == 0, payload.first == UInt8(ascii: "#") else { return .unknown }
                } else {
                    guard let (name, id) = PacketLine.ref(payload) else { return .unknown }
                    refCount += 1
                    if refCount == 1, id.isZero, name.elementsEqual("capabilities^{}".utf8) {
                        capabilitiesLine = (position + 4)..<(position + length)
                    } else {
                        if let line = capabilitiesLine {
                            let (name, id) = PacketLine.ref(UnsafeBufferPointer(rebasing: buffer[line]))!
                            each(name, id)
                            capabilitiesLine = nil
                        }
                        each(name, id)
                    }
                }
                position += length
            }
            return .needMore
        }
    }
}

// MARK: The subtransport

/// The Swift side of an `rg_subtransport`: libgit2's own subtransport for the URL, and the
/// stream of the advertisement while it is open.
final class CapturingSubtransport {
    let inner: UnsafeMutablePointer<git_smart_subtransport>
    let capture: AdvertisementCapture
    /// Our wrapper of the advertisement's stream (stateful transports go on using it).
    var stream: UnsafeMutablePointer<rg_subtransport_stream>?

    init(inner: UnsafeMutablePointer<git_smart_subtransport>, capture: AdvertisementCapture) {
        self.inner = inner
        self.capture = capture
    }

    /// `git_remote_callbacks.transport`, for a session with a capture: libgit2's smart
    /// transport over `make`.
    static let transport: git_transport_cb = { out, owner, payload in
        let capture = TransportSession.from(payload).capture!
        var definition = git_smart_subtransport_definition(
            callback: make, rpc: capture.transport.isStateless ? 1 : 0,
            param: Unmanaged.passUnretained(capture).toOpaque())
        return git_transport_smart(out, owner, &definition)
    }

    /// The subtransport: libgit2's own for the transport, wrapped. `param` is the capture.
    private static let make: git_smart_subtransport_cb = { out, owner, param in
        let capture = Unmanaged<AdvertisementCapture>.fromOpaque(param!).takeUnretainedValue()
        var inner: UnsafeMutablePointer<git_smart_subtransport>?
        let rc =
            switch capture.transport {
            case .git: git_smart_subtransport_git(&inner, owner, nil)
            case .ssh: git_smart_subtransport_ssh(&inner, owner, nil)
            case .http: git_smart_subtransport_http(&inner, owner, nil)
            }
        guard rc >= 0, let inner else { return rc < 0 ? rc : -1 }
        let wrapper = UnsafeMutablePointer<rg_subtransport>.allocate(capacity: 1)
        let box = CapturingSubtransport(inner: inner, capture: capture)
        wrapper.initialize(
            to: rg_subtransport(
                parent: git_smart_subtransport(action: action, close: close, free: free),
                box: Unmanaged.passRetained(box).toOpaque()))
        out?.pointee = UnsafeMutableRawPointer(wrapper).assumingMemoryBound(to: git_smart_subtransport.self)
        return 0
    }

    private static func from(_ subtransport: UnsafeMutablePointer<git_smart_subtransport>?) -> CapturingSubtransport {
        let wrapper = UnsafeMutableRawPointer(subtransport!).assumingMemoryBound(to: rg_subtransport.self)
        return Unmanaged<CapturingSubtransport>.fromOpaque(wrapper.pointee.box).takeUnretainedValue()
    }

    private static let action:
        @convention(c) (
            UnsafeMutablePointer<UnsafeMutablePointer<git_smart_subtransport_stream>?>?, UnsafeMutablePointer<git_smart_subtransport>?,
            UnsafePointer<CChar>?, git_smart_service_t
        ) -> Int32 = { out, subtransport, url, service in
            let box = from(subtransport)
            var stream: UnsafeMutablePointer<git_smart_subtransport_stream>?
            let rc = box.inner.pointee.action(&stream, box.inner, url, service)
            guard rc >= 0, let stream else { return rc }
            if service == GIT_SERVICE_UPLOADPACK_LS {
                let wrapper = UnsafeMutablePointer<rg_subtransport_stream>.allocate(capacity: 1)
                wrapper.initialize(
                    to: rg_subtransport_stream(
                        parent: git_smart_subtransport_stream(subtransport: subtransport, read: read, write: write, free: freeStream),
                        inner: stream, box: Unmanaged.passUnretained(box).toOpaque()))
                box.stream = wrapper
                out?.pointee = UnsafeMutableRawPointer(wrapper).assumingMemoryBound(to: git_smart_subtransport_stream.self)
            } else if let wrapper = box.stream, wrapper.pointee.inner == stream {
                // A stateful transport's fetch goes on over the advertisement's stream, which
                // libgit2 holds as ours (it checks that it gets the same one back).
                out?.pointee = UnsafeMutableRawPointer(wrapper).assumingMemoryBound(to: git_smart_subtransport_stream.self)
            } else {
                out?.pointee = stream
            }
            return 0
        }

    private static let close: @convention(c) (UnsafeMutablePointer<git_smart_subtransport>?) -> Int32 = { subtransport in
        let box = from(subtransport)
        return box.inner.pointee.close(box.inner)
    }

    private static let free: @convention(c) (UnsafeMutablePointer<git_smart_subtransport>?) -> Void = { subtransport in
        let wrapper = UnsafeMutableRawPointer(subtransport!).assumingMemoryBound(to: rg_subtransport.self)
        let box = Unmanaged<CapturingSubtransport>.fromOpaque(wrapper.pointee.box)
        let inner = box.takeUnretainedValue().inner
        inner.pointee.free(inner)
        box.release()
        wrapper.deinitialize(count: 1)
        wrapper.deallocate()
    }

    private static func wrapper(
        of stream: UnsafeMutablePointer<git_smart_subtransport_stream>?
    ) -> UnsafeMutablePointer<rg_subtransport_stream> {
        UnsafeMutableRawPointer(stream!).assumingMemoryBound(to: rg_subtransport_stream.self)
    }

    private static let read:
        @convention(c) (UnsafeMutablePointer<git_smart_subtransport_stream>?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutablePointer<Int>?)
            -> Int32 = { stream, buffer, size, bytesRead in
                let wrapper = CapturingSubtransport.wrapper(of: stream)
                let box = Unmanaged<CapturingSubtransport>.fromOpaque(wrapper.pointee.box).takeUnretainedValue()
                return box.capture.read(wrapper.pointee.inner, into: buffer, size: size, bytesRead)
            }

    private static let write: @convention(c) (UnsafeMutablePointer<git_smart_subtransport_stream>?, UnsafePointer<CChar>?, Int) -> Int32 = {
        stream, buffer, length in
        let inner = CapturingSubtransport.wrapper(of: stream).pointee.inner!
        return inner.pointee.write(inner, buffer, length)
    }

    private static let freeStream: @convention(c) (UnsafeMutablePointer<git_smart_subtransport_stream>?) -> Void = { stream in
        let wrapper = CapturingSubtransport.wrapper(of: stream)
        let box = Unmanaged<CapturingSubtransport>.fromOpaque(wrapper.pointee.box).takeUnretainedValue()
        if box.stream == wrapper { box.stream = nil }
        let inner = wrapper.pointee.inner!
        inner.pointee.free(inner)
        wrapper.deinitialize(count: 1)
        wrapper.deallocate()
    }
}

extension String {
    /// `withUTF8` for a body with a typed error (`withUTF8` rethrows `any Error`).
    fileprivate mutating func withUTF8Typed<E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> Void) throws(E) {
        var result: Result<Void, E> = .success(())
        withUTF8 { bytes in result = Result { () throws(E) in try body(bytes) } }
        try result.get()
    }
}
