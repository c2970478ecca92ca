// swift-tools-version:6.1
// Glidepath: learning-rate schedules that adapt to training.
//
// Layers (dependencies point one way only; ARCHITECTURE.md has the diagram, and a test checks that
// its table is this file's targets and dependencies):
//   GlidepathRandom (seeded generators)                               -> (standalone)
//   GlidepathMLRSNet (MLR-SNet cell and weights, the .pth reader)    -> (standalone)
//   Glidepath (schedulers)                                            -> GlidepathMLRSNet
//   GlidepathTensor (tensors, autograd, kernels over OpenBLAS)        -> GlidepathRandom
//   GlidepathNN (layers, losses, optimizers, meta-learning)           -> Glidepath, GlidepathMLRSNet, GlidepathTensor
//   GlidepathData (dataset readers, loader; zlib)                     -> GlidepathRandom
//   GlidepathLab (runs, metrics, SQLite store, meta-training)         -> all of the above, GRDB
//   GlidepathReport (study statistics, SVG/HTML/Markdown report)    -> (standalone, Foundation)
//   GlidepathStudy (study plans, cells, per-cell metrics)            -> GlidepathLab, GlidepathReport
//   glidepath (CLI)                                                   -> GlidepathLab and the modules it shows
import PackageDescription

let package = Package(
    name: "Glidepath",
    platforms: [.macOS(.v14)],
    products: [
        // Public API
        .library(name: "Glidepath", targets: ["Glidepath"]),
        .library(name: "GlidepathMLRSNet", targets: ["GlidepathMLRSNet"]),
        .library(name: "GlidepathRandom", targets: ["GlidepathRandom"]),
        .library(name: "GlidepathTensor", targets: ["GlidepathTensor"]),
        .library(name: "GlidepathNN", targets: ["GlidepathNN"]),
        .library(name: "GlidepathData", targets: ["GlidepathData"]),
        .library(name: "GlidepathLab", targets: ["GlidepathLab"]),
        .library(name: "GlidepathReport", targets: ["GlidepathReport"]),
        .library(name: "GlidepathStudy", targets: ["GlidepathStudy"]),
        .executable(name: "glidepath", targets: ["GlidepathCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // MARK: Public API
        .target(name: "GlidepathRandom"),
        .target(name: "GlidepathMLRSNet"),
        .target(name: "Glidepath", dependencies: ["GlidepathMLRSNet"]),
        .target(name: "GlidepathTensor", dependencies: ["GlidepathRandom", "COpenBLAS"]),
        .target(name: "GlidepathNN", dependencies: ["Glidepath", "GlidepathMLRSNet", "GlidepathTensor"]),
        .target(name: "GlidepathData", dependencies: ["GlidepathRandom", "CZlib"]),
        .target(
            name: "GlidepathLab",
            dependencies: [
                "Glidepath", "GlidepathMLRSNet", "GlidepathTensor", "GlidepathNN", "GlidepathData", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(name: "GlidepathReport"),
        .target(
            name: "GlidepathStudy",
            dependencies: ["Glidepath", "GlidepathNN", "GlidepathLab", "GlidepathData", "GlidepathReport"]),
        .executableTarget(
            name: "GlidepathCLI",
            dependencies: [
                "Glidepath", "GlidepathMLRSNet", "GlidepathNN", "GlidepathLab", "GlidepathData", "GlidepathStudy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Implementation details
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .executableTarget(
            name: "GlidepathBenchmarks",
            dependencies: ["Glidepath", "GlidepathTensor", "GlidepathNN", "GlidepathData"]),

        // MARK: Tests
        .target(name: "GlidepathTestSupport", dependencies: ["GlidepathRandom", "GlidepathMLRSNet"]),
        // The hidden helper the CLI tests run in a child process (signals, atomic checkpoint writes);
        // not part of the shipped `glidepath`.
        .executableTarget(
            name: "GlidepathLabProbe",
            dependencies: ["GlidepathLab", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/GlidepathLabProbe"),
        .testTarget(name: "GlidepathRandomTests", dependencies: ["GlidepathRandom"]),
        .testTarget(
            name: "GlidepathMLRSNetTests", dependencies: ["GlidepathMLRSNet", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "GlidepathTests", dependencies: ["Glidepath", "GlidepathMLRSNet", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "GlidepathTensorTests", dependencies: ["GlidepathTensor", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),  // JSON fixtures are read via #filePath, not as resources
        .testTarget(
            name: "GlidepathNNTests", dependencies: ["GlidepathNN", "GlidepathMLRSNet", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),  // JSON fixtures are read via #filePath, not as resources
        .testTarget(
            name: "GlidepathDataTests", dependencies: ["GlidepathData", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),  // JSON fixtures are read via #filePath, not as resources
        .testTarget(
            name: "GlidepathLabTests",
            dependencies: [
                "Glidepath", "GlidepathMLRSNet", "GlidepathTensor", "GlidepathNN", "GlidepathData", "GlidepathLab",
                "GlidepathTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Golden", "Fixtures"]),
        .testTarget(
            name: "GlidepathReportTests", dependencies: ["GlidepathReport", "GlidepathTestSupport"],
            exclude: ["Golden", "Fixtures"]),  // read via #filePath, not as resources
        .testTarget(
            name: "GlidepathStudyTests",
            dependencies: [
                "Glidepath", "GlidepathNN", "GlidepathLab", "GlidepathStudy", "GlidepathReport", "GlidepathTestSupport",
            ],
            exclude: ["Golden"]),
        .testTarget(
            name: "GlidepathCLITests",
            dependencies: [
                "Glidepath", "GlidepathMLRSNet", "GlidepathNN", "GlidepathLab", "GlidepathStudy",
                "GlidepathTestSupport",
                "GlidepathCLI", "GlidepathLabProbe", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Golden"]),
    ]
)
