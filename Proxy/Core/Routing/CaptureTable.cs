using System.Collections.Frozen;
using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// Transparent capture under one snapshot: which service (hostname and port protocol) each
/// service address:port of <c>service_addresses</c> is. A captured connection to an address:port
/// not in it is not a mesh service port: passed through (ALLOW_ANY) or refused (REGISTRY_ONLY).
/// </summary>
internal sealed class CaptureTable
{
    public static CaptureTable Empty { get; } = new(FrozenDictionary<IPEndPoint, CaptureTarget>.Empty);

    private CaptureTable(FrozenDictionary<IPEndPoint, CaptureTarget> targets)
    {
        Targets = targets;
    }

    public FrozenDictionary<IPEndPoint, CaptureTarget> Targets { get; }

    public CaptureTarget? Find(IPEndPoint destination) => Targets.TryGetValue(destination, out var target) ? target : null;

    internal static CaptureTable Build(ProxySnapshot snapshot, TranslationErrors errors)
    {
        var targets = new Dictionary<IPEndPoint, CaptureTarget>();
        for (var i = 0; i < snapshot.ServiceAddresses.Count; i++)
        {
            var service = snapshot.ServiceAddresses[i];
            foreach (var text in service.Addresses)
            {
                if (!IPAddress.TryParse(text, out var address))
                {
                    errors.Add($"service_addresses[{i}] ({service.Name}).addresses", $"'{text}' is not an IP address");
                    continue;
                }

                foreach (var port in service.Ports)
                {
                    if (port.Number is 0 or > 65535)
                    {
                        errors.Add($"service_addresses[{i}] ({service.Name}).ports", $"{port.Number} is not a port");
                        continue;
                    }

                    var key = new IPEndPoint(address, (int)port.Number);
                    if (!targets.TryAdd(key, new CaptureTarget(service.Name, port.Protocol)))
                    {
                        errors.Add($"service_addresses[{i}] ({service.Name}).addresses", $"{key} is also '{targets[key].Host}'");
                    }
                }
            }
        }

        return targets.Count == 0 ? Empty : new CaptureTable(targets.ToFrozenDictionary());
    }
}

/// <summary>The service a captured address:port is, and the port's protocol.</summary>
internal sealed record CaptureTarget(string Host, Protocol Protocol)
{
    /// <summary>HTTP/1.1 (the capture listener's own protocol): HTTP and unspecified ports.</summary>
    public bool IsHttp1 => Protocol is Protocol.Http or Protocol.Unspecified;

    /// <summary>h2c: HTTP2 and gRPC ports.</summary>
    public bool IsHttp2 => Protocol is Protocol.Http2 or Protocol.Grpc;
}
