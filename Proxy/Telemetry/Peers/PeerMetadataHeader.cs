using System.Collections.Concurrent;
using System.Text;

namespace Mesh.Proxy.Telemetry.Peers;

/// <summary>
/// Peer metadata exchange (Istio's <c>x-envoy-peer-metadata</c>): the calling sidecar or gateway
/// tells the called sidecar who it is in one compact header, which the called sidecar reads for
/// its <c>source_*</c> labels and removes before the request reaches the app.
/// Format: <c>workload=reviews-v2;namespace=default;app=reviews;version=v2</c>. The header is
/// not proof of identity (principals come only from mTLS), and parsed values are cached with a
/// bound, so arbitrary headers from outside the mesh cannot grow the metric label sets.
/// </summary>
internal sealed class PeerMetadataHeader
{
    public const string Name = "x-mesh-peer-metadata";

    /// <summary>Distinct callers remembered; beyond this, new callers count as "unknown".</summary>
    public const int MaxPeers = 512;

    private const int MaxValueLength = 512;

    private readonly ConcurrentDictionary<string, WorkloadPeer> _peers = new(StringComparer.Ordinal);

    public static string Format(WorkloadPeer peer)
    {
        var builder = new StringBuilder();
        Append(builder, "workload", peer.Workload);
        Append(builder, "namespace", peer.Namespace);
        Append(builder, "app", peer.App);
        Append(builder, "version", peer.Version);
        return builder.ToString();
    }

    /// <summary>The peer a header value describes; <see cref="WorkloadPeer.UnknownPeer"/> for garbage or when the cache is full.</summary>
    public WorkloadPeer Resolve(string value)
    {
        if (_peers.TryGetValue(value, out var known))
        {
            return known;
        }

        var parsed = Parse(value);
        if (parsed is null || _peers.Count >= MaxPeers)
        {
            return WorkloadPeer.UnknownPeer;
        }

        return _peers.GetOrAdd(value, parsed);
    }

    public static WorkloadPeer? Parse(string value)
    {
        if (value.Length == 0 || value.Length > MaxValueLength)
        {
            return null;
        }

        string? workload = null, ns = null, app = null, version = null;
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                return null;
            }

            var key = part[..equals];
            var text = part[(equals + 1)..];
            if (!IsLabelValue(text))
            {
                return null;
            }

            switch (key)
            {
                case "workload": workload = text; break;
                case "namespace": ns = text; break;
                case "app": app = text; break;
                case "version": version = text; break;

                // Later versions may send more keys: ignore them.
            }
        }

        return workload is null ? null : new WorkloadPeer(workload, ns, app, version);
    }

    private static void Append(StringBuilder builder, string key, string value)
    {
        if (value == WorkloadPeer.Unknown)
        {
            return;
        }

        if (builder.Length > 0)
        {
            builder.Append(';');
        }

        builder.Append(key).Append('=').Append(value);
    }

    // Kubernetes label values: [A-Za-z0-9._-], at most 63 characters (workload names may be longer).
    private static bool IsLabelValue(string text)
    {
        if (text.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
