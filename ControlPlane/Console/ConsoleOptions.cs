namespace Mesh.ControlPlane.Console;

/// <summary>The mesh console's polling of proxy statistics (<c>ControlPlane:Console:*</c>).</summary>
internal sealed class ConsoleOptions
{
    public const string SectionName = "ControlPlane:Console";

    /// <summary>How often each proxy's <c>/stats</c> is read while someone watches the console.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Rates and percentiles cover this much recent traffic.</summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A proxy that does not answer its <c>/stats</c> within this time is shown as unreachable.</summary>
    public TimeSpan StatsTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Polling stops when nobody read the console for this long (no cost while unwatched).</summary>
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromMinutes(1);
}
