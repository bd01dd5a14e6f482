namespace Mesh.Bench.Tool.Measurement;

/// <summary>Medians of repeated measurements.</summary>
public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static long Median(IEnumerable<long> values) => (long)Median(values.Select(v => (double)v));
}
