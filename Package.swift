// swift-tools-version: 6.0
import PackageDescription

/// Ferry: GitOps for plain hosts reached over SSH.
///
/// C libraries are wrapped once each: `CGit2` is imported only by `FerryGit`,
/// `CSSH2` only by `FerrySSH`. Every other module sees Swift types only.
let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .executable(name: "ferry-demo", targets: ["FerryDemo"]),
        .executable(name: "ferry-bench", targets: ["FerryBench"]),
        .executable(name: "ferry-crash-loop", targets: ["FerryCrashLoop"]),
        .executable(name: "ferry-fuzz", targets: ["FerryFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .systemLibrary(
            name: "CSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .target(
            name: "FerrySSH",
            dependencies: [
                "CSSH2",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FerryGit",
            dependencies: ["CGit2"]
        ),
        .target(
            name: "FerryConfig",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "FerryAudit",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "FerryCore",
            dependencies: [
                "FerryGit", "FerrySSH", "FerryConfig", "FerryAudit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "FerryDaemon",
            dependencies: [
                "FerryCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "FerryCLI",
            dependencies: [
                "FerryCore", "FerryDaemon", "FerryGit", "FerrySSH", "FerryConfig", "FerryAudit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ferry",
            dependencies: ["FerryCLI"]
        ),
        .executableTarget(
            name: "FerryDemo",
            dependencies: ["_FerryTestHosts"]
        ),
        .executableTarget(
            name: "FerryBench",
            dependencies: ["_FerryTestHosts"]
        ),
        .executableTarget(
            name: "FerryCrashLoop",
            dependencies: ["_FerryTestHosts"]
        ),
        .target(
            name: "FerryFuzzing",
            dependencies: ["FerryConfig", "FerryCore", "FerryGit"]
        ),
        .executableTarget(
            name: "FerryFuzz",
            dependencies: ["FerryFuzzing"]
        ),
        .target(
            name: "_FerryTestHosts",
            path: "Sources/_FerryTestHosts"
        ),
        .testTarget(name: "FerrySSHTests", dependencies: ["FerrySSH", "_FerryTestHosts"]),
        .testTarget(name: "FerryGitTests", dependencies: ["FerryGit", "_FerryTestHosts"]),
        .testTarget(name: "FerryConfigTests", dependencies: ["FerryConfig"], exclude: ["corpus"]),
        .testTarget(name: "FerryAuditTests", dependencies: ["FerryAudit"]),
        .testTarget(name: "FerryCoreTests", dependencies: ["FerryCore", "_FerryTestHosts"]),
        .testTarget(name: "FerryFuzzTests", dependencies: ["FerryFuzzing"]),
        .testTarget(name: "FerryCLITests", dependencies: ["FerryCLI", "_FerryTestHosts"]),
        .testTarget(
            name: "FerryIntegrationTests",
            dependencies: ["FerryCore", "FerryCLI", "FerryDaemon", "FerryGit", "FerrySSH", "_FerryTestHosts"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
