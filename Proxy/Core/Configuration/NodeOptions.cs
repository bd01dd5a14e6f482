namespace Mesh.Proxy.Core.Configuration;

/// <summary>Who this proxy is; sent to the control plane in Hello.</summary>
public sealed class NodeOptions
{
    /// <summary>Unique per proxy instance; defaults to "&lt;workload&gt;-&lt;process id&gt;".</summary>
    public string? Id { get; set; }

    public string? Workload { get; set; }

    public string Namespace { get; set; } = "default";

    public string ServiceAccount { get; set; } = "default";

    /// <summary>Host other proxies use to reach this workload's inbound listeners.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>
    /// Sidecar on a VM: the WorkloadGroup (in <see cref="Namespace"/>) this workload registers from;
    /// the control plane creates its WorkloadEntry from the group's template with <see cref="Address"/>
    /// (Istio's auto-registration, docs/vm.md). Unset: no registration.
    /// </summary>
    public string? WorkloadGroup { get; set; }

    /// <summary>
    /// The network this workload is on (Istio's <c>ISTIO_META_NETWORK</c>): sent as its
    /// <c>topology.istio.io/network</c> label, which wins over the label set directly. Empty: the
    /// control plane's network (docs/vm.md §5).
    /// </summary>
    public string? Network { get; set; }

    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
}
