// swift-tools-version:6.1
import PackageDescription

/// Every target is strict: Swift 6 mode plus the upcoming features Hummingbird itself enables.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Consortium",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "consortium", targets: ["consortium"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"]), .brew(["openssl"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(
            name: "Inference",
            dependencies: ["CBLAS"],
            // Without haswell, SIMD multiply-adds lower to a libm call per lane (see NOTES-linux-swift.md).
            // Optimised in debug builds too: the tests run real checkpoints (a 135M-parameter LLaMA), and unoptimised
            // element-wise loops made one perplexity test take a minute instead of seconds.
            swiftSettings: swiftSettings + [.unsafeFlags(["-target-cpu", "haswell"]), .unsafeFlags(["-O"], .when(configuration: .debug))]
        ),

        .target(name: "Evaluation", dependencies: ["Inference"], swiftSettings: swiftSettings),

        .target(name: "Domain", swiftSettings: swiftSettings),
        .target(
            name: "Database",
            dependencies: [
                "CLibPQ",
                "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Store",
            dependencies: [
                "Domain", "Database", .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Runner",
            dependencies: ["Store", "Domain", "Database", "Evaluation", "Inference", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WebApp",
            dependencies: [
                "Store", "Domain", "Database",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "consortium",
            dependencies: [
                "Domain", "Database", "Store", "WebApp", "Inference", "Evaluation", "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test support: a real PostgreSQL (started by Ops/scripts/test.sh) and a fresh database per suite.
        .target(
            name: "DatabaseTestSupport",
            dependencies: ["Database"],
            path: "Tests/DatabaseTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EvaluationTests",
            dependencies: ["Evaluation", "Inference"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InferenceTests",
            dependencies: ["Inference"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsortiumTests",
            dependencies: ["consortium", "Store", "Database", "DatabaseTestSupport"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RunnerTests",
            dependencies: ["Runner", "Store", "Domain", "Database", "Evaluation", "Inference", "DatabaseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DatabaseTests", dependencies: ["Database", "DatabaseTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Domain", "Database", "DatabaseTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebAppTests",
            dependencies: [
                "WebApp", "Store", "Database", "DatabaseTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
