using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>
/// The runtime's allocation sampling (GCAllocationTick: one event per ~100 KB allocated, naming
/// the type of the object that crossed the mark): which types a measured loop allocates, in
/// proportion. A debugging aid for allocation work (MESH_ALLOC_PROFILE=1), not an assertion.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, int> _samples = new();
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The most sampled types, "count type" per line.</summary>
    public string Top(int count) =>
        string.Join('\n', _samples.OrderByDescending(s => s.Value).Take(count).Select(s => $"{s.Value,6} {s.Key}"));

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        if (_recording && data.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true
            && data.PayloadNames?.IndexOf("TypeName") is >= 0 and var index)
        {
            _samples.AddOrUpdate(data.Payload![index] as string ?? "?", 1, (_, n) => n + 1);
        }
    }
}
