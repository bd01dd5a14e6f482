using System.Globalization;

namespace Mesh.Bench.Tool.Tools;

/// <summary>Load tools print durations with units (wrk: us/ms/s; h2load: us/ms/s).</summary>
internal static class Duration
{
    public static double ToMilliseconds(string number, string unit)
    {
        var value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            _ => throw new FormatException($"unknown duration unit '{unit}'"),
        };
    }
}
