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

    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
}
