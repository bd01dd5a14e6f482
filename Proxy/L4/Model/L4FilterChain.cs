namespace Mesh.Proxy.L4.Model;

/// <summary>One weighted destination of a chain.</summary>
internal sealed record L4WeightedCluster(L4Cluster Cluster, int Weight);

/// <summary>A filter chain in runtime form: what it matches and where it sends connections.</summary>
internal sealed class L4FilterChain
{
    public required string Name { get; init; }

    public string? VirtualService { get; init; }

    public IReadOnlyList<SniPattern> SniHosts { get; init; } = [];

    public AddressSet DestinationSubnets { get; init; } = AddressSet.Empty;

    public AddressSet SourceSubnet { get; init; } = AddressSet.Empty;

    public required IReadOnlyList<L4WeightedCluster> Clusters { get; init; }

    /// <summary>Gateway: the server whose connections this chain takes.</summary>
    public string? GatewayServer { get; init; }

    /// <summary>Gateway AUTO_PASSTHROUGH: the cluster is named by the SNI.</summary>
    public bool AutoPassthrough { get; init; }

    private int TotalWeight => Clusters.Sum(c => c.Weight);

    /// <summary>Whether the destination and source conditions hold (SNI is scored separately).</summary>
    public bool MatchesAddresses(System.Net.IPAddress? destination, System.Net.IPAddress? source) =>
        (DestinationSubnets.IsEmpty || DestinationSubnets.Contains(destination))
        && (SourceSubnet.IsEmpty || SourceSubnet.Contains(source));

    /// <summary>The weighted pick (one roll over the total weight; zero-weight entries are never picked).</summary>
    public L4Cluster? Pick(Random random)
    {
        if (Clusters.Count == 1)
        {
            return Clusters[0].Cluster;
        }

        var total = TotalWeight;
        if (total <= 0)
        {
            return null;
        }

        var roll = random.Next(total);
        foreach (var entry in Clusters)
        {
            if (roll < entry.Weight)
            {
                return entry.Cluster;
            }

            roll -= entry.Weight;
        }

        return Clusters[^1].Cluster;
    }

    public override string ToString() => Name;
}
