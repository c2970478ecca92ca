// Tests draw their seeded sweeps from `SplitMix64` and `SeededGenerator`; importing the test support
// makes them available.
@_exported import GlidepathRandom
