namespace Mesh.ControlPlane.Common;

/// <summary>
/// The control plane's settings, bound from the <c>ControlPlane</c> configuration section
/// (environment: <c>ControlPlane__AdminPort</c>, ...). Port 0 picks a free port.
/// </summary>
internal sealed class ControlPlaneOptions
{
    public const string SectionName = "ControlPlane";

    /// <summary>Admin API (HTTP/1.1): Istio's monitoring port.</summary>
    public int AdminPort { get; set; } = 15014;

    /// <summary>Discovery and CA gRPC (h2c, HTTP/2 only): Istio's xDS port.</summary>
    public int GrpcPort { get; set; } = 15012;

    /// <summary>
    /// Istio's TLS discovery port (15012 in Istio, where the plaintext one is 15010): discovery and the
    /// CA over TLS with a serving certificate from the mesh CA (<see cref="DiscoveryTlsOptions"/>).
    /// Without its port (default) only the plaintext <see cref="GrpcPort"/> serves them.
    /// </summary>
    public DiscoveryTlsOptions DiscoveryTls { get; set; } = new();

    /// <summary>Both listeners bind here; loopback by default so nothing is exposed by accident.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Directory of Istio-format YAML watched for changes (recursive *.yaml, *.yml, *.json).</summary>
    public string? ConfigDirectory { get; set; }

    /// <summary>Persisted state: applied objects (<c>applied/</c>), the admin token.</summary>
    public string DataDirectory { get; set; } = ".mesh-data";

    /// <summary>Bearer token the admin API requires; empty means none unless generated.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Generate a token on first start into <c>&lt;data&gt;/admin-token</c> (mode 0600) and require it.</summary>
    public bool GenerateAdminToken { get; set; }

    public string TrustDomain { get; set; } = "cluster.local";

    public string DefaultNamespace { get; set; } = "default";

    public string RootNamespace { get; set; } = "istio-system";

    /// <summary>
    /// The network of this control plane's workloads (Istio's <c>values.global.network</c>): a
    /// workload or WorkloadEntry that names no network of its own is on it. Empty: the mesh's one
    /// unnamed network (docs/vm.md §5).
    /// </summary>
    public string Network { get; set; } = "";

    /// <summary>
    /// Largest object, in bytes of YAML as written: 1.5 MiB, the largest object the Kubernetes
    /// API server stores (etcd's default request limit), so nothing Istio on Kubernetes accepts is refused.
    /// </summary>
    public long MaxObjectBytes { get; set; } = 1536 * 1024;

    /// <summary>
    /// Largest configuration, in bytes of YAML over every source (files and API-applied objects):
    /// a budget for the control plane's memory, which grows with it (docs/benchmarks.md).
    /// </summary>
    public long MaxTotalConfigBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Quiet period after a config file event before the directory is re-read.</summary>
    public TimeSpan FileDebounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Re-read the config directory this often even without file events: a safety net for file
    /// systems that do not deliver change notifications (some bind mounts and network shares).
    /// Unchanged content costs a directory read and nothing else. Zero disables it.
    /// </summary>
    public TimeSpan ConfigRescanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Quiet period after a model or registry change before snapshots are pushed.</summary>
    public TimeSpan PushDebounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest a push waits while changes keep arriving (keeps a busy mesh under 1 s).</summary>
    public TimeSpan PushMaxDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A proxy that has not taken a snapshot write within this time is too slow: its stream is
    /// closed (freeing the buffered snapshot and its push slot) so it reconnects and resyncs.
    /// </summary>
    public TimeSpan SlowProxyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many discovery streams may be writing a snapshot at once (istiod's PILOT_PUSH_THROTTLE);
    /// the others wait in order. Bounds the memory of pushes: a write's bytes sit in the stream's
    /// output buffer until the proxy reads them.
    /// </summary>
    public int MaxConcurrentPushes { get; set; } = 100;

    /// <summary>Idle time after which the server pings a discovery connection (finds dead proxies).</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection that does not answer a ping within this time is closed (its proxy deregistered).</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long workloads remembered from before a restart (<c>&lt;data&gt;/registry/</c>) stay in
    /// the registry waiting for their proxies to reconnect; proxies retry within 3 s. Zero turns the
    /// registry journal off (a restart then starts with an empty registry).
    /// </summary>
    public TimeSpan RegistryGracePeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an auto-registered WorkloadEntry (a VM's proxy registered from a WorkloadGroup)
    /// outlives its proxy's disconnect before the control plane removes it (Istio's
    /// PILOT_WORKLOAD_ENTRY_GRACE_PERIOD, 10 s): a VM that reconnects within it keeps its entry.
    /// </summary>
    public TimeSpan WorkloadEntryGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A sent snapshot not acknowledged within this time makes the proxy STALE.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary><c>ControlPlane:DiscoveryTls</c>: the discovery/CA listener over TLS (docs/vm.md §5).</summary>
internal sealed class DiscoveryTlsOptions
{
    /// <summary>Its port; null: no TLS listener; 0: a free port.</summary>
    public int? Port { get; set; }

    /// <summary>
    /// Names and addresses the serving certificate carries beyond istiod's (<c>istiod.istio-system.svc</c>
    /// and its longer forms, <c>localhost</c>, 127.0.0.1 and the bind address): DNS names or IP addresses.
    /// </summary>
    public List<string> Names { get; set; } = [];
}
