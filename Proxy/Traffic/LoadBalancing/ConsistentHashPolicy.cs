using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>
/// Istio <c>consistentHash</c> load balancing (Envoy's ring hash or Maglev): the same header value, cookie,
/// source IP or query parameter keeps reaching the same endpoint while the endpoint set is stable,
/// and only the keys of an endpoint that leaves move. A request without the key is placed at random.
/// </summary>
internal sealed class ConsistentHashPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "Mesh.ConsistentHash";

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count <= 1)
        {
            return availableDestinations.Count == 0 ? null : availableDestinations[0];
        }

        var upstream = context.Features.Get<RoutingResult>()?.Cluster;
        if (upstream?.FeatureModels.Get<ConsistentHashModel>() is not { } model)
        {
            return availableDestinations[Random.Shared.Next(availableDestinations.Count)];
        }

        var hash = ComputeHash(context, model) ?? (ulong)Random.Shared.NextInt64();
        var table = model.TableFor(upstream.State.DestinationsState.AvailableDestinations);
        if (upstream.EndpointGroups is { } groups)
        {
            // Envoy picks the priority (and locality) from the request's hash too, so a key stays on one group.
            var current = upstream.State.DestinationsState.AvailableDestinations;
            availableDestinations = groups.Pick(availableDestinations, GroupRoll(hash), cache: ReferenceEquals(availableDestinations, current));
        }

        return table.Pick(hash, availableDestinations);
    }

    // A number in [0, 1) from the hash, remixed (splitmix64's finalizer) so that it does not follow the ring position.
    private static double GroupRoll(ulong hash)
    {
        hash = (hash ^ (hash >> 30)) * 0xbf58476d1ce4e5b9UL;
        hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebUL;
        hash ^= hash >> 31;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The request's hash key (null: the request lacks it and is placed at random); the explanation uses it too.</summary>
    internal static ulong? ComputeHash(HttpContext context, ConsistentHashModel model)
    {
        var http = context.Request;
        switch (model.Key)
        {
            case HashKey.HttpHeader:
                var header = http.Headers[model.Name];
                return header.Count == 0 ? null : HashRing.Hash(header.Count == 1 ? header[0] : header.ToString());

            case HashKey.QueryParameter:
                return http.QueryString.HasValue && http.Query.TryGetValue(model.Name, out var values) && values.Count > 0
                    ? HashRing.Hash(values[0])
                    : null;

            case HashKey.SourceIp:
                return context.Connection.RemoteIpAddress is { } address ? HashRing.Hash(address.ToString()) : null;

            default:
                if (http.Cookies.TryGetValue(model.Name, out var cookie) && !string.IsNullOrEmpty(cookie))
                {
                    return HashRing.Hash(cookie.AsSpan().Trim('"'));
                }

                if (model.CookieTtl is null)
                {
                    return null;
                }

                // Envoy generates the cookie when it is missing and a ttl is set; retries reuse it.
                var generated = GeneratedHashCookie.GetOrCreate(context);
                return HashRing.Hash(generated.Value);
        }
    }
}
