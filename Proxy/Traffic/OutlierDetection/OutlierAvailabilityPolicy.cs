using System.Globalization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>
/// Which endpoints of an outlier-detected cluster take traffic: those not ejected, unless fewer than
/// <c>minHealthPercent</c> are left (Envoy's panic threshold: then all). With every endpoint ejected
/// and no threshold, none: requests get 503 "no healthy upstream", as in Envoy. Locality
/// failover priorities apply to this set afterwards, per request (Core's <c>EndpointGroups</c>).
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

        return available;
    }
}
