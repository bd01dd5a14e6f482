using System.Globalization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>
/// Which endpoints of an outlier-detected cluster take traffic: those not ejected, unless fewer than
/// <c>minHealthPercent</c> are left (Envoy's panic threshold: then all). With every endpoint ejected
/// and no threshold, none: requests get 503 "no healthy upstream", as in Envoy. With locality
/// failover priorities, only the most preferred level that has an available endpoint takes traffic
/// (a level fails over when all its endpoints are ejected).
/// </summary>
internal sealed class OutlierAvailabilityPolicy : IAvailableDestinationsPolicy
{
    public const string PolicyName = "Mesh.OutlierDetection";
    public const string MinHealthPercentKey = "mesh.minHealthPercent";

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        List<DestinationState>? healthy = null;
        for (var i = 0; i < allDestinations.Count; i++)
        {
            var health = allDestinations[i].Health;
            if (health.Passive == DestinationHealth.Unhealthy || health.Active == DestinationHealth.Unhealthy)
            {
                healthy ??= [.. allDestinations.Take(i)];
            }
            else
            {
                healthy?.Add(allDestinations[i]);
            }
        }

        var available = healthy ?? allDestinations;
        if (healthy is not null)
        {
            var minHealthPercent = config.Metadata is not null && config.Metadata.TryGetValue(MinHealthPercentKey, out var text)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) ? percent : 0;
            available = minHealthPercent > 0 && healthy.Count * 100 < minHealthPercent * allDestinations.Count ? allDestinations : healthy;
        }

        return LocalityPriorityTable.For(config) is { } priorities ? Preferred(available, priorities) : available;
    }

    // Locality failover: the available endpoints of the most preferred priority level that has any.
    private static IReadOnlyList<DestinationState> Preferred(IReadOnlyList<DestinationState> available, Dictionary<string, int> priorities)
    {
        var best = int.MaxValue;
        foreach (var destination in available)
        {
            best = Math.Min(best, priorities.GetValueOrDefault(destination.DestinationId));
        }

        List<DestinationState>? preferred = null;
        for (var i = 0; i < available.Count; i++)
        {
            if (priorities.GetValueOrDefault(available[i].DestinationId) == best)
            {
                preferred?.Add(available[i]);
            }
            else
            {
                preferred ??= [.. available.Take(i)];
            }
        }

        return preferred ?? available;
    }
}
