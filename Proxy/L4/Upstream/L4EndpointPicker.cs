using System.IO.Hashing;
using System.Net;
using System.Text;
using Mesh.Proxy.L4.Model;

namespace Mesh.Proxy.L4.Upstream;

/// <summary>
/// Picks the endpoint of a new connection among the cluster's endpoints that outlier detection has
/// not ejected: the fewer open connections of two random ones (LEAST_REQUEST, Istio's default, and
/// LEAST_CONN), round robin, random, or by the caller's address (consistentHash.useSourceIp, with
/// rendezvous hashing so a removed endpoint moves only its own callers). When fewer than
/// minHealthPercent of the endpoints are available, every endpoint is (Envoy's panic mode).
/// </summary>
internal static class L4EndpointPicker
{
    public static L4Endpoint? Pick(L4Cluster cluster, IPAddress? source, long now, Random random)
    {
        var endpoints = cluster.Endpoints;
        if (endpoints.Count == 0)
        {
            return null;
        }

        List<L4Endpoint>? available = null;
        foreach (var endpoint in endpoints)
        {
            if (L4OutlierDetector.IsEjected(endpoint, now))
            {
                available ??= [.. endpoints.TakeWhile(e => e != endpoint)];
            }
            else
            {
                available?.Add(endpoint);
            }
        }

        IReadOnlyList<L4Endpoint> candidates = available ?? endpoints;
        if (available is not null && cluster.Outlier is { MinHealthPercent: > 0 } outlier && available.Count * 100 < outlier.MinHealthPercent * endpoints.Count)
        {
            candidates = endpoints;
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        return cluster.Balancing switch
        {
            L4Balancing.RoundRobin => candidates[cluster.State.NextRoundRobin() % candidates.Count],
            L4Balancing.Random => Weighted(candidates, random),
            L4Balancing.SourceIpHash when source is not null => Rendezvous(candidates, source),
            _ => LeastConnections(candidates, random),
        };
    }

    private static L4Endpoint LeastConnections(IReadOnlyList<L4Endpoint> candidates, Random random)
    {
        // Two distinct random endpoints.
        var firstIndex = random.Next(candidates.Count);
        var secondIndex = random.Next(candidates.Count - 1);
        if (secondIndex >= firstIndex)
        {
            secondIndex++;
        }

        var first = candidates[firstIndex];
        var second = candidates[secondIndex];

        // Weighted like Envoy's least request: active connections per unit of weight.
        return (long)second.State.Active * first.Weight < (long)first.State.Active * second.Weight ? second : first;
    }

    private static L4Endpoint Weighted(IReadOnlyList<L4Endpoint> candidates, Random random)
    {
        var total = 0;
        foreach (var endpoint in candidates)
        {
            total += endpoint.Weight;
        }

        var roll = random.Next(total);
        foreach (var endpoint in candidates)
        {
            if (roll < endpoint.Weight)
            {
                return endpoint;
            }

            roll -= endpoint.Weight;
        }

        return candidates[^1];
    }

    private static L4Endpoint Rendezvous(IReadOnlyList<L4Endpoint> candidates, IPAddress source)
    {
        var key = source.IsIPv4MappedToIPv6 ? source.MapToIPv4().GetAddressBytes() : source.GetAddressBytes();
        L4Endpoint best = candidates[0];
        var bestScore = 0UL;
        foreach (var endpoint in candidates)
        {
            var hash = new XxHash64();
            hash.Append(key);
            hash.Append(Encoding.UTF8.GetBytes(endpoint.Authority));
            var score = hash.GetCurrentHashAsUInt64();
            if (score >= bestScore)
            {
                best = endpoint;
                bestScore = score;
            }
        }

        return best;
    }
}
