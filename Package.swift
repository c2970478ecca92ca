// swift-tools-version:6.1
// Glidepath: learning-rate schedules that adapt to training.
//
// Layers (dependencies point one way only; see ARCHITECTURE.md):
//   Glidepath (schedulers, Foundation only)
//   GlidepathTensor (tensors, autograd, kernels over OpenBLAS)
//   GlidepathNN (layers, losses, optimizers, landscape probes)      -> Glidepath, GlidepathTensor
//   GlidepathData (dataset readers, loader; zlib)                    -> (standalone)
//   GlidepathLab (runs, metrics, SQLite store, reports)              -> all of the above, GRDB
//   glidepath (CLI)                                                  -> GlidepathLab
import PackageDescription

let package = Package(
    name: "Glidepath",
    platforms: [.macOS(.v14)],
    products: [
        // Public API
        .library(name: "Glidepath", targets: ["Glidepath"]),
        .library(name: "GlidepathTensor", targets: ["GlidepathTensor"]),
        .library(name: "GlidepathNN", targets: ["GlidepathNN"]),
        .library(name: "GlidepathData", targets: ["GlidepathData"]),
        .library(name: "GlidepathLab", targets: ["GlidepathLab"]),
        .executable(name: "glidepath", targets: ["GlidepathCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // MARK: Public API
        .target(name: "Glidepath"),
        .target(name: "GlidepathTensor", dependencies: ["COpenBLAS"]),
        .target(name: "GlidepathNN", dependencies: ["Glidepath", "GlidepathTensor"]),
        .target(name: "GlidepathData", dependencies: ["CZlib"]),
        .target(
            name: "GlidepathLab",
            dependencies: [
                "Glidepath", "GlidepathTensor", "GlidepathNN", "GlidepathData", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .executableTarget(
            name: "GlidepathCLI",
            dependencies: [
                "Glidepath", "GlidepathNN", "GlidepathLab", "GlidepathData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Implementation details
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .executableTarget(
            name: "GlidepathBenchmarks",
            dependencies: ["Glidepath", "GlidepathTensor", "GlidepathNN", "GlidepathData"]),

        // MARK: Tests
        .target(name: "GlidepathTestSupport", dependencies: ["Glidepath"]),
        .testTarget(
            name: "GlidepathTests", dependencies: ["Glidepath", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "GlidepathTensorTests", dependencies: ["GlidepathTensor", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),  // JSON fixtures are read via #filePath, not as resources
        .testTarget(
            name: "GlidepathNNTests", dependencies: ["GlidepathNN", "GlidepathTestSupport"],
            exclude: ["Fixtures"]),  // JSON fixtures are read via #filePath, not as resources
        .testTarget(name: "GlidepathDataTests", dependencies: ["GlidepathData", "GlidepathTestSupport"]),
        .testTarget(
            name: "GlidepathLabTests",
            dependencies: [
                "Glidepath", "GlidepathTensor", "GlidepathNN", "GlidepathData", "GlidepathLab", "GlidepathTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Golden", "Fixtures"]),
        .testTarget(
            name: "GlidepathCLITests", dependencies: ["Glidepath", "GlidepathNN", "GlidepathLab", "GlidepathTestSupport"],
            exclude: ["Golden"]),
    ]
)
