namespace Mesh.Hosting.Dashboard;

/// <summary>
/// The weights a traffic shift leaves, in whole percent summing to 100 as Istio requires: the
/// chosen version gets its share and the other versions keep their proportions of the rest (the
/// traffic-shifting task's steps: all v1 → 50/50 v1/v3 → all v3).
/// </summary>
internal static class TrafficWeights
{
    /// <param name="current">Version → weight today (any scale; the versions not named get nothing).</param>
    /// <param name="versions">Every version of the service, in display order.</param>
    /// <param name="target">The version to shift traffic to.</param>
    /// <param name="percent">Its new share, 0–100.</param>
    public static IReadOnlyList<(string Version, int Weight)> Shift(
        IReadOnlyDictionary<string, int> current, IReadOnlyList<string> versions, string target, int percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (!versions.Contains(target))
        {
            throw new ArgumentException($"'{target}' is not one of the service's versions ({string.Join(", ", versions)})", nameof(target));
        }

        var others = versions.Where(v => v != target).ToList();
        var otherWeights = others.Select(v => Math.Max(0, current.GetValueOrDefault(v))).ToList();
        if (otherWeights.Sum() == 0)
        {
            // Nothing else had traffic: the rest is shared evenly (a shift away from the only version).
            otherWeights = [.. others.Select(_ => 1)];
        }

        var rest = Apportion(100 - percent, otherWeights);
        var result = new List<(string, int)>();
        foreach (var version in versions)
        {
            var weight = version == target ? percent : rest[others.IndexOf(version)];
            if (weight > 0)
            {
                result.Add((version, weight));
            }
        }

        return result;
    }

    /// <summary>Even weights over every version (what the mesh does without a route: every endpoint alike).</summary>
    public static IReadOnlyDictionary<string, int> Even(IReadOnlyList<string> versions) =>
        versions.Zip(Apportion(100, [.. versions.Select(_ => 1)])).ToDictionary(p => p.First, p => p.Second);

    /// <summary>Splits <paramref name="total"/> in proportion to <paramref name="shares"/>, in whole numbers (largest remainder).</summary>
    internal static int[] Apportion(int total, IReadOnlyList<int> shares)
    {
        var sum = shares.Sum();
        var result = new int[shares.Count];
        if (shares.Count == 0 || sum == 0)
        {
            return result;
        }

        var remainders = new (double Remainder, int Index)[shares.Count];
        for (var i = 0; i < shares.Count; i++)
        {
            var exact = (double)total * shares[i] / sum;
            result[i] = (int)Math.Floor(exact);
            remainders[i] = (exact - result[i], i);
        }

        var left = total - result.Sum();
        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(left))
        {
            result[index]++;
        }

        return result;
    }
}
