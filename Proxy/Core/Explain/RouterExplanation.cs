using System.Globalization;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Explain;

/// <summary>Core's router for an explanation: the weighted clusters of the route (with the one picked when the pick is certain), its timeout and retries.</summary>
internal static class RouterExplanation
{
    /// <summary>Records the router step; returns the clusters the request may go to (one when certain, none when the request ends).</summary>
    public static IReadOnlyList<UpstreamCluster> Explain(ExplainContext explain)
    {
        var routing = explain.Routing;
        if (routing.Cluster is { } fixedCluster)
        {
            explain.Add(new ExplainStep(nameof(ProxyStage.Router), "forward", $"to {fixedCluster.Name}"));
            return [fixedCluster];
        }

        if (routing.Route?.Action is not { } action)
        {
            explain.Add(new ExplainStep(nameof(ProxyStage.Router), "no upstream", "the route answers the request itself"));
            return [];
        }

        var table = action.Clusters;
        var items = new List<ExplainItem>(table.Clusters.Count);
        var candidates = new List<UpstreamCluster>(table.Clusters.Count);
        for (var i = 0; i < table.Clusters.Count; i++)
        {
            var weight = table.WeightAt(i);
            if (weight > 0)
            {
                candidates.Add(table.Clusters[i]);
            }
        }

        for (var i = 0; i < table.Clusters.Count; i++)
        {
            var cluster = table.Clusters[i];
            var weight = table.WeightAt(i);
            var verdict = weight == 0 ? "never" : candidates.Count == 1 ? "picked" : "candidate";
            var share = (100.0 * weight / table.TotalWeight).ToString("0.##", CultureInfo.InvariantCulture);
            items.Add(new ExplainItem(cluster.Name, verdict, $"weight {weight} of {table.TotalWeight} ({share} %){(cluster.Subset is { Length: > 0 } subset ? $", subset {subset}" : "")}, {cluster.EndpointCount} endpoint(s)"));
        }

        var policies = new List<string>();
        policies.Add(action.Timeout > TimeSpan.Zero ? $"timeout {Duration(action.Timeout)}" : "no route timeout");
        if (action.Retry is { } retry)
        {
            policies.Add($"retries: {retry.NumRetries} on {retry.RetryOn}{(retry.RetriableStatusCodes.Count > 0 ? $" (+ status {string.Join(',', retry.RetriableStatusCodes)})" : "")}{(retry.PerTryTimeout > TimeSpan.Zero ? $", per try {Duration(retry.PerTryTimeout)}" : "")}");
        }
        else
        {
            policies.Add("no retries");
        }

        explain.Set("timeout", action.Timeout > TimeSpan.Zero ? Duration(action.Timeout) : "none");
        explain.Set("retries", action.Retry is { } r ? r.NumRetries.ToString(CultureInfo.InvariantCulture) : "0");
        string detail;
        if (candidates.Count == 1)
        {
            explain.Set("cluster", candidates[0].Name);
            explain.Set("subset", candidates[0].Subset ?? "");
            detail = $"{candidates[0].Name} takes all the weight";
        }
        else
        {
            explain.Set("clusters", string.Join(' ', candidates.Select(c => c.Name)));
            detail = $"one of {candidates.Count} clusters, at random by weight (each request rolls anew)";
        }

        explain.Add(new ExplainStep(nameof(ProxyStage.Router), candidates.Count == 1 ? "picked" : "weighted", $"{detail}; {string.Join("; ", policies)}") { Items = items });
        return candidates;
    }

    public static string Duration(TimeSpan value) => value.TotalSeconds >= 1 && value.Milliseconds == 0
        ? value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s"
        : value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
}
