/// Facts about DEFLATE (RFC 1951) streams that the gzip and zip readers rely on.
enum Deflate {
    /// The largest ratio of decompressed to compressed size: a 258-byte match costs at least 2 bits
    /// in a dynamic block, so about 1032 output bytes per input byte (zlib's technical notes). A size
    /// declared by a file header above `compressed × maximumExpansion` is a lie, and must not be used
    /// to size an allocation.
    static let maximumExpansion = 1032
}
