namespace Mesh.Proxy.Telemetry.Peers;

/// <summary>
/// One side of a request as Istio's metrics label it: workload, namespace, app and version
/// ("unknown" when not known). The principal is not part of it: it depends on the connection
/// (mTLS or not). Instances are canonical per snapshot or per peer header value, so the metric
/// series cache compares them by reference.
/// </summary>
internal sealed class WorkloadPeer
{
    public const string Unknown = "unknown";

    public WorkloadPeer(string? workload, string? @namespace, string? app, string? version)
    {
        Workload = Normalize(workload);
        Namespace = Normalize(@namespace);
        App = Normalize(app);
        Version = Normalize(version);
    }

    /// <summary>A caller or callee the proxy knows nothing about (outside the mesh).</summary>
    public static WorkloadPeer UnknownPeer { get; } = new(null, null, null, null);

    public string Workload { get; }

    public string Namespace { get; }

    public string App { get; }

    public string Version { get; }

    public bool IsKnown => Workload != Unknown;

    /// <summary>Istio's app label fallback: <c>app</c>, else the canonical-name label, else the workload.</summary>
    public static string? AppOf(IReadOnlyDictionary<string, string> labels, string? workload) =>
        labels.TryGetValue("app", out var app) && app.Length > 0 ? app
        : labels.TryGetValue("service.istio.io/canonical-name", out var canonical) && canonical.Length > 0 ? canonical
        : labels.TryGetValue("app.kubernetes.io/name", out var name) && name.Length > 0 ? name
        : workload;

    public static string? VersionOf(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue("version", out var version) && version.Length > 0 ? version
        : labels.TryGetValue("service.istio.io/canonical-revision", out var revision) && revision.Length > 0 ? revision
        : labels.TryGetValue("app.kubernetes.io/version", out var v) && v.Length > 0 ? v
        : null;

    public override string ToString() => $"{Workload}.{Namespace} ({App} {Version})";

    public static string Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? Unknown : value;
}
