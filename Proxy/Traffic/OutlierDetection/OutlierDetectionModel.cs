namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>
/// A cluster's compiled DestinationRule <c>outlierDetection</c> (Envoy's consecutive 5xx and
/// consecutive gateway failure detection; locally originated failures — connect failures, resets,
/// timeouts — count as 503/504, as Envoy does without split_external_local_origin_errors).
/// </summary>
internal sealed class OutlierDetectionModel
{
    /// <summary>Envoy's max_ejection_time default: ejections stop growing here.</summary>
    public static readonly TimeSpan MaxEjectionTime = TimeSpan.FromSeconds(300);

    /// <summary>0 disables the 5xx detector.</summary>
    public int Consecutive5xxErrors { get; init; }

    /// <summary>0 disables the gateway error (502, 503, 504) detector.</summary>
    public int ConsecutiveGatewayErrors { get; init; }

    /// <summary>Time between ejection sweeps (unejection and ejection-time decay happen at sweeps).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An ejection lasts this times the number of times the host was ejected in a row.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxEjectionPercent { get; init; } = 10;

    /// <summary>Below this share of healthy endpoints ejections are ignored (Envoy's panic threshold); 0 disables.</summary>
    public int MinHealthPercent { get; init; }

    public bool Enabled => Consecutive5xxErrors > 0 || ConsecutiveGatewayErrors > 0;

    /// <summary>How long an ejection lasts for a host ejected <paramref name="ejections"/> times in a row.</summary>
    public TimeSpan EjectionTime(int ejections)
    {
        var max = BaseEjectionTime > MaxEjectionTime ? BaseEjectionTime : MaxEjectionTime;
        var ticks = Math.Min((double)BaseEjectionTime.Ticks * Math.Max(1, ejections), max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
