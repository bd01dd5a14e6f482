namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// A connection feature set by the stage that chose the connection's server before anything after
/// TLS runs (the Gateway feature: the Gateway server by port and SNI). It tells the later stages
/// whether the connection is forwarded at L4 (TCP servers, TLS passthrough, TLS terminated in front
/// of TCP) or carries HTTP, and which server's filter chains apply.
/// </summary>
public sealed class ConnectionServerFeature
{
    public ConnectionServerFeature(string server, bool isNetwork, string? sni, bool passthrough)
    {
        Server = server;
        IsNetwork = isNetwork;
        Sni = sni;
        Passthrough = passthrough;
    }

    /// <summary>The server's name (gateway_servers[].name).</summary>
    public string Server { get; }

    /// <summary>True when the connection is forwarded at L4 rather than served as HTTP.</summary>
    public bool IsNetwork { get; }

    /// <summary>The TLS server name the client sent (null for plaintext or without SNI).</summary>
    public string? Sni { get; }

    /// <summary>TLS that is passed on without being terminated (PASSTHROUGH, AUTO_PASSTHROUGH).</summary>
    public bool Passthrough { get; }

    /// <summary>Whether a connection on <paramref name="listener"/> is forwarded at L4 (a TCP/TLS listener, or its server says so).</summary>
    public static bool IsNetworkConnection(MeshListener listener, Microsoft.AspNetCore.Http.Features.IFeatureCollection features) =>
        listener.IsNetwork || features.Get<ConnectionServerFeature>() is { IsNetwork: true };
}
