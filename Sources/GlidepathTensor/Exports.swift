// The seeded generators are part of this module's public API (every random operation takes one
// `inout`), so importing this module makes `SeededGenerator` and `SplitMix64` available too.
@_exported import GlidepathRandom
