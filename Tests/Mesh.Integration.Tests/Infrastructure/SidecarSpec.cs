using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>One workload's sidecar: its identity, the app port it fronts (none for a pure client) and whom it calls.</summary>
public sealed record SidecarSpec(string Id, string App, string Version)
{
    public int? AppPort { get; init; }

    public int ServicePort { get; init; } = 9080;

    public IReadOnlyList<string> Upstreams { get; init; } = [];

    public string Namespace { get; init; } = "default";

    /// <summary>More workload labels (e.g. <c>istio-locality</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Service ports of other protocols (TCP...), each with the app port behind it.</summary>
    public IReadOnlyList<PortSpec> Ports { get; init; } = [];

    /// <summary>Local bindings the app uses beyond <see cref="Upstreams"/> (TCP/TLS services).</summary>
    public IReadOnlyList<BindingSpec> Bindings { get; init; } = [];

    /// <summary>Istio's Bookinfo convention: "bookinfo-&lt;app&gt;".</summary>
    public string ServiceAccount => $"bookinfo-{App}";

    /// <summary>The <c>Mesh:*</c> settings the hosting integration gives this sidecar.</summary>
    public ProxySettings Settings(string controlPlane, string token)
    {
        var settings = ProxySettings.Sidecar(controlPlane, Id, Id)
            .Identity(Namespace, ServiceAccount, [("app", App), ("version", Version), .. Labels.Select(l => (l.Key, l.Value))])
            .Token(token);
        if (AppPort is { } appPort)
        {
            settings.Inbound(App, "http", ServicePort, appPort);
        }

        foreach (var port in Ports)
        {
            settings.Inbound(App, port.Name, port.ServicePort, port.AppPort, port.Protocol);
        }

        foreach (var upstream in Upstreams)
        {
            settings.Outbound(upstream, ServicePort);
        }

        foreach (var binding in Bindings)
        {
            settings.Outbound(binding.Host, binding.Port, binding.Protocol);
        }

        return settings;
    }
}

/// <summary>A service port of a workload: its name (Istio's protocol prefix), number, the app's port and the protocol.</summary>
public sealed record PortSpec(string Name, int ServicePort, int AppPort, string Protocol = "TCP");

/// <summary>An outbound binding: the app connects to it for <see cref="Host"/>:<see cref="Port"/>.</summary>
public sealed record BindingSpec(string Host, int Port, string Protocol = "TCP");
