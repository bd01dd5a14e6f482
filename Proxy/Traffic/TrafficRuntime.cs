using Mesh.Proxy.Traffic.Mirroring;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Proxy.Traffic;

/// <summary>The services traffic features need at translation time, as one options object.</summary>
public sealed class TrafficRuntime
{
    public TrafficRuntime(TimeProvider time, MirrorSender mirrors, TrafficStateRegistry state)
    {
        Time = time;
        Mirrors = mirrors;
        State = state;
    }

    /// <summary>For translators used without DI (unit tests, benchmarks): real time, no logging, private state.</summary>
    public static TrafficRuntime Standalone() => new(TimeProvider.System, new MirrorSender(NullLogger<MirrorSender>.Instance), new TrafficStateRegistry());

    public TimeProvider Time { get; }

    public MirrorSender Mirrors { get; }

    public TrafficStateRegistry State { get; }
}
