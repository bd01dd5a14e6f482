using System.Globalization;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Traffic.Common;

/// <summary>Istio percentages (fault, mirror): 0-100, fractional.</summary>
internal static class Percentages
{
    public static double Validate(double value, string path, TranslationErrors errors)
    {
        if (double.IsNaN(value) || value < 0 || value > 100)
        {
            errors.Add(path, $"must be 0-100 (got {value.ToString(CultureInfo.InvariantCulture)})");
            return 0;
        }

        return value;
    }

    /// <summary>True with probability <paramref name="percentage"/>/100 (exact at 0 and 100).</summary>
    public static bool Roll(double percentage)
        => percentage >= 100 || (percentage > 0 && Random.Shared.NextDouble() * 100 < percentage);
}
