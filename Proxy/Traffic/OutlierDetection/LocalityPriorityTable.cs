using System.Globalization;
using System.Runtime.CompilerServices;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>
/// The endpoints' locality failover priorities of one cluster (<c>Endpoint.priority</c>, set by the
/// control plane from DestinationRule <c>localityLbSetting</c>), carried in the YARP cluster's
/// metadata so <see cref="OutlierAvailabilityPolicy"/> can read them per cluster config.
/// </summary>
internal static class LocalityPriorityTable
{
    public const string MetadataKey = "mesh.localityPriorities";

    private static readonly ConditionalWeakTable<ClusterConfig, Dictionary<string, int>> Parsed = [];

    /// <summary><c>authority=priority;...</c> for the endpoints with a priority above 0; null when every endpoint is priority 0.</summary>
    public static string? Format(Cluster cluster)
    {
        if (!cluster.Endpoints.Any(e => e.Priority > 0))
        {
            return null;
        }

        return string.Join(';', cluster.Endpoints.Where(e => e.Priority > 0)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{ClusterConventions.FormatAuthority(e.Address, e.Port)}={e.Priority}")));
    }

    /// <summary>Priority by destination id (the endpoint's authority); absent = 0. Null when the cluster has no priorities.</summary>
    public static Dictionary<string, int>? For(ClusterConfig config)
    {
        if (config.Metadata is null || !config.Metadata.TryGetValue(MetadataKey, out var text))
        {
            return null;
        }

        return Parsed.GetValue(config, _ =>
        {
            var table = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = entry.LastIndexOf('=');
                if (equals > 0 && int.TryParse(entry.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var priority))
                {
                    table[entry[..equals]] = priority;
                }
            }

            return table;
        });
    }
}
