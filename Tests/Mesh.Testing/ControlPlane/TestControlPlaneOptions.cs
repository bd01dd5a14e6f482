using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.ControlPlane;

/// <summary>How a <see cref="TestControlPlane"/> runs; the defaults suit most tests.</summary>
public sealed record TestControlPlaneOptions
{
    public const string DefaultAdminToken = "test-admin-token";

    /// <summary>The bootstrap key every test control plane signs proxy tokens with unless told otherwise.</summary>
    public const string DefaultBootstrapKey = "mesh-tests-bootstrap-key-0123456789";

    private readonly string? _dataDirectory;

    /// <summary>Holds config/ and data/; a new temporary folder by default, deleted on dispose.</summary>
    public string Root { get; init; } = Path.Combine(Path.GetTempPath(), "mesh-tests", Guid.NewGuid().ToString("N"));

    public string ConfigDirectory => Path.Combine(Root, "config");

    /// <summary>Root/data by default.</summary>
    public string DataDirectory
    {
        get => _dataDirectory ?? Path.Combine(Root, "data");
        init => _dataDirectory = value;
    }

    /// <summary>The admin API's bearer token; null: no token (every caller is admitted).</summary>
    public string? AdminToken { get; init; } = DefaultAdminToken;

    /// <summary>Let the control plane generate its admin token into the data directory (as the Aspire hosting does).</summary>
    public bool GenerateAdminToken { get; init; }

    /// <summary>
    /// Signs proxy bootstrap tokens (<see cref="DefaultBootstrapKey"/> is a fine choice): proxies then
    /// must authenticate and get workload certificates (mTLS). Null (default): proxies connect without
    /// credentials and the mesh runs plaintext.
    /// </summary>
    public string? BootstrapKey { get; init; }

    /// <summary>Let the control plane generate its bootstrap key into the data directory (as the Aspire hosting does).</summary>
    public bool GenerateBootstrapKey { get; init; }

    /// <summary>
    /// False (default): short debounces (files 50 ms, pushes 20 ms, at most 200 ms), so real-clock
    /// tests do not wait for production timings. True: the production defaults.
    /// </summary>
    public bool ProductionTimings { get; init; }

    /// <summary>0: chosen by the OS. A restart passes the old port so proxies find the control plane again.</summary>
    public int GrpcPort { get; init; }

    /// <summary>Files (path relative to the config directory → content) present when the control plane starts.</summary>
    public IReadOnlyDictionary<string, string> ConfigFiles { get; init; } = new Dictionary<string, string>();

    /// <summary><c>ControlPlane:*</c> settings that win over the above; a null value removes a setting.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Command-line arguments, as a container's environment reaches the control plane (Kubernetes mode).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Runs last: replace services (a snapshot builder, a Kubernetes client).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The control plane's clock; a <see cref="Clock.TestClock"/> puts its debouncers, timeouts and timers on a fake clock.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Receives the control plane's logs (from <see cref="LogLevel"/> on).</summary>
    public ILoggerProvider? Logs { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
}
