using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.L4.Model;

/// <summary>One endpoint of an L4 cluster: where to dial and what is known of it (for mTLS and telemetry).</summary>
internal sealed class L4Endpoint
{
    public L4Endpoint(string host, int port, Endpoint? source, L4EndpointState state)
    {
        Host = host;
        Port = port;
        Source = source;
        State = state;
    }

    /// <summary>IP address or host name (DNS resolution when dialling).</summary>
    public string Host { get; }

    public int Port { get; }

    public int Weight => (int)Math.Max(1u, Source?.Weight ?? 1u);

    /// <summary>The snapshot's endpoint (workload, namespace, labels, identity); null for the sidecar's own app.</summary>
    public Endpoint? Source { get; }

    /// <summary>Live state shared by every snapshot that has this endpoint: active connections, outlier status.</summary>
    public L4EndpointState State { get; }

    public string Authority => Host.Contains(':') && !Host.StartsWith('[') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public override string ToString() => Authority;
}
