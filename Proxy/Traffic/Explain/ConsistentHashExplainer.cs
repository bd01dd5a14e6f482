using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Traffic.LoadBalancing;

namespace Mesh.Proxy.Traffic.Explain;

/// <summary>
/// Consistent hashing explained: the request's hash key (<see cref="ConsistentHashPolicy.ComputeHash"/>,
/// what the load balancer hashes) and the endpoint it lands on in the cluster's current table — the
/// one deterministic load-balancing pick. Other policies pick at random or in turn; the endpoints
/// step lists their candidates.
/// </summary>
internal sealed class ConsistentHashExplainer : IRequestExplainer
{
    public ProxyStage Stage => ProxyStage.LoadBalancing;

    public ValueTask ExplainAsync(ExplainContext context)
    {
        if (context.Routing.Cluster is not { IsBound: true } cluster || cluster.FeatureModels.Get<ConsistentHashModel>() is not { } model)
        {
            return ValueTask.CompletedTask;
        }

        var available = cluster.State.DestinationsState.AvailableDestinations;
        var key = $"{model.Key} {model.Name}".TrimEnd();
        if (available.Count == 0)
        {
            context.Add(new ExplainStep("ConsistentHash", "no endpoint", $"{cluster.Name}: hash on {key}, but no endpoint is eligible"));
            return ValueTask.CompletedTask;
        }

        if (ConsistentHashPolicy.ComputeHash(context.HttpContext, model) is not { } hash)
        {
            context.Add(new ExplainStep("ConsistentHash", "random", $"{cluster.Name}: hash on {key}; the request has no such key, so it is placed at random"));
            return ValueTask.CompletedTask;
        }

        var picked = available.Count == 1 ? available[0] : model.TableFor(available).Pick(hash, available);
        context.Set("endpoint", picked?.DestinationId);
        context.Add(new ExplainStep("ConsistentHash", "picked", $"{cluster.Name}: hash on {key} → endpoint {picked?.DestinationId} (stable while the eligible endpoints stay the same)"));
        return ValueTask.CompletedTask;
    }
}
