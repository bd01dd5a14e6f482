namespace Mesh.Proxy.Core.Configuration;

/// <summary>A local listener the app uses to reach one upstream service (Consul-style upstream binding).</summary>
public sealed class OutboundBindingOptions
{
    /// <summary>Service host as the app names it ("reviews" or an FQDN).</summary>
    public string? Host { get; set; }

    /// <summary>Service port; 0 means the service's only (or first) port.</summary>
    public int Port { get; set; }

    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.HTTP;

    /// <summary>Where the sidecar listens for the app (0 picks a free port).</summary>
    public int ListenPort { get; set; }
}
