using System.Collections.Frozen;
using System.Net;
using Mesh.Proxy.Core.Listeners;

namespace Mesh.Proxy.L4.Model;

/// <summary>How connections on one listener find their destination under one snapshot.</summary>
internal sealed class L4ListenerRouting
{
    public required MeshListener Listener { get; init; }

    /// <summary>Inbound TCP listener: the local app.</summary>
    public L4Cluster? App { get; init; }

    /// <summary>Outbound binding: the candidate chains (TCP: the bound service's; TLS: every TLS chain of the port).</summary>
    public IReadOnlyList<L4FilterChain> Chains { get; init; } = [];

    /// <summary>TLS binding: the chain is chosen by SNI (most specific server name).</summary>
    public bool MatchBySni { get; init; }

    /// <summary>Outbound binding: the destination the app meant when the binding's host is an IP address.</summary>
    public IPAddress? Destination { get; init; }

    /// <summary>Outbound binding to a host the mesh does not know, with ALLOW_ANY: dial it as it is.</summary>
    public (string Host, int Port)? Passthrough { get; init; }

    /// <summary>Why nothing can be routed here (REGISTRY_ONLY and an unknown host), else null.</summary>
    public string? Unroutable { get; init; }

    /// <summary>Outbound: the host and port a passthrough cluster (resolution NONE) dials: the binding's, or a captured connection's destination.</summary>
    public string? RequestedHost { get; init; }

    public int RequestedPort { get; init; }

    /// <summary>Outbound capture: the routing of each TCP/TLS service address:port (docs/capture.md).</summary>
    public FrozenDictionary<IPEndPoint, L4ListenerRouting>? Captured { get; init; }

    /// <summary>Outbound capture: the routing of a destination that is no service address.</summary>
    public Func<IPEndPoint, L4ListenerRouting>? CapturedElsewhere { get; init; }

    /// <summary>Outbound capture: the routing of a captured connection to <paramref name="destination"/>.</summary>
    public L4ListenerRouting ForDestination(IPEndPoint destination) =>
        Captured?.GetValueOrDefault(destination) ?? CapturedElsewhere?.Invoke(destination) ?? this;

    /// <summary>This routing for a connection to a service's <paramref name="address"/>.</summary>
    internal L4ListenerRouting With(IPAddress address, string text) => new()
    {
        Listener = Listener,
        App = App,
        Chains = Chains,
        MatchBySni = MatchBySni,
        Destination = address,
        Passthrough = Passthrough,
        Unroutable = Unroutable,
        RequestedHost = RequestedHost ?? text,
        RequestedPort = RequestedPort,
    };
}
