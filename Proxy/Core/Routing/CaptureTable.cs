using System.Collections.Frozen;
using System.Net;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// Transparent capture under one snapshot: which service (hostname and port protocol) each
/// service address:port of <c>service_addresses</c> is. A captured connection to an address:port
/// not in it is not a mesh service port: passed through (ALLOW_ANY) or refused (REGISTRY_ONLY).
/// </summary>
internal sealed class CaptureTable
{
    public static CaptureTable Empty { get; } = new(FrozenDictionary<IPEndPoint, CaptureTarget>.Empty);

    internal CaptureTable(FrozenDictionary<IPEndPoint, CaptureTarget> targets)
    {
        Targets = targets;
    }

    public FrozenDictionary<IPEndPoint, CaptureTarget> Targets { get; }

    public CaptureTarget? Find(IPEndPoint destination) => Targets.TryGetValue(destination, out var target) ? target : null;
}

/// <summary>The service a captured address:port is, and the port's protocol.</summary>
internal sealed record CaptureTarget(string Host, Protocol Protocol)
{
    /// <summary>HTTP/1.1 (the capture listener's own protocol): HTTP and unspecified ports.</summary>
    public bool IsHttp1 => Protocol is Protocol.Http or Protocol.Unspecified;

    /// <summary>h2c: HTTP2 and gRPC ports.</summary>
    public bool IsHttp2 => Protocol is Protocol.Http2 or Protocol.Grpc;
}
