namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// The weighted split of a route: a cumulative-weight table picked with one random number,
/// no allocation and no lock. A zero-weight entry is never picked.
/// </summary>
public sealed class WeightedClusterTable
{
    private readonly UpstreamCluster[] _clusters;
    private readonly int[] _cumulative;

    public WeightedClusterTable(IReadOnlyList<(UpstreamCluster Cluster, int Weight)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("A route needs at least one cluster.", nameof(entries));
        }

        _clusters = new UpstreamCluster[entries.Count];
        _cumulative = new int[entries.Count];
        var total = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Weight < 0)
            {
                throw new ArgumentException("Weights cannot be negative.", nameof(entries));
            }

            total = checked(total + entries[i].Weight);
            _clusters[i] = entries[i].Cluster;
            _cumulative[i] = total;
        }

        if (total == 0)
        {
            throw new ArgumentException("The weights of a route sum to 0.", nameof(entries));
        }

        TotalWeight = total;
    }

    public int TotalWeight { get; }

    public IReadOnlyList<UpstreamCluster> Clusters => _clusters;

    /// <summary>The weight of the cluster at <paramref name="index"/> of <see cref="Clusters"/>.</summary>
    public int WeightAt(int index) => _cumulative[index] - (index == 0 ? 0 : _cumulative[index - 1]);

    public UpstreamCluster Pick() => _clusters.Length == 1 ? _clusters[0] : Pick(Random.Shared.Next(TotalWeight));

    /// <summary>The cluster for a roll in [0, <see cref="TotalWeight"/>).</summary>
    public UpstreamCluster Pick(int roll)
    {
        var cumulative = _cumulative;
        for (var i = 0; i < cumulative.Length; i++)
        {
            if (roll < cumulative[i])
            {
                return _clusters[i];
            }
        }

        throw new ArgumentOutOfRangeException(nameof(roll), roll, $"Roll must be below the total weight {TotalWeight}.");
    }
}
