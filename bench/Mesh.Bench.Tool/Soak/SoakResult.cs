using System.Globalization;
using System.Text;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.Soak;

/// <summary>What a soak found: the load's outcome, the config changes, every process at start, halfway and end, GC pauses.</summary>
public sealed record SoakResult(
    SoakOptions Options,
    TimeSpan Elapsed,
    LatencySummary Load,
    int ChangesApplied,
    int ChangesRefused,
    string? FirstRefusal,
    IReadOnlyList<ProcessSnapshot> Start,
    IReadOnlyList<ProcessSnapshot> Halfway,
    IReadOnlyList<ProcessSnapshot> End,
    IReadOnlyDictionary<int, (int Count, double P99Ms, double MaxMs)> GcPauses)
{
    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"### Soak: {Options.Duration} at {Options.Rate} pages/s through the ingress gateway, a config change every {Options.ChangeEvery}"));
        text.AppendLine();
        text.AppendLine(Invariant($"Requests: {Load.Scheduled} scheduled, {Load.Completed} answered 200, **{Load.Errors} failed**{(Load.FirstError is null ? "" : $" (first: {Load.FirstError})")}; {Load.Reconnects} reconnects; latency p50 {Load.P50Ms:0.0} ms, p99 {Load.P99Ms:0.0} ms, max {Load.MaxMs:0.0} ms (from the scheduled send time)."));
        text.AppendLine(Invariant($"Config changes: {ChangesApplied} applied, {ChangesRefused} refused{(FirstRefusal is null ? "" : $" (first: {FirstRefusal})")}. Elapsed {Elapsed.TotalMinutes:0.0} min."));
        text.AppendLine();
        text.AppendLine("| process | pid | RSS start → halfway → end (MB) | live heap after a full GC start → halfway → end (MB) | open fds start → end | GC pauses | GC pause p99 / max (ms) |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var first in Start.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var half = Halfway.FirstOrDefault(p => p.Pid == first.Pid);
            var last = End.FirstOrDefault(p => p.Pid == first.Pid);
            var gc = GcPauses.TryGetValue(first.Pid, out var pauses) ? Invariant($"{pauses.Count} | {pauses.P99Ms:0.00} / {pauses.MaxMs:0.00}") : "— | —";
            var heap = first.LiveHeapBytes is null ? "—" : $"{Heap(first)} → {Heap(half)} → {Heap(last)}";
            text.AppendLine(Invariant($"| {first.Name} | {first.Pid} | {Mb(first.RssBytes)} → {(half is null ? "exited" : Mb(half.RssBytes))} → {(last is null ? "exited" : Mb(last.RssBytes))} | {heap} | {first.OpenFds} → {(last is null ? "—" : last.OpenFds.ToString(CultureInfo.InvariantCulture))} | {gc} |"));
        }

        foreach (var added in End.Where(p => Start.All(s => s.Pid != p.Pid)))
        {
            text.AppendLine(Invariant($"| {added.Name} (started during the soak) | {added.Pid} | — → {Mb(added.RssBytes)} | — → {Heap(added)} | — → {added.OpenFds} | — | — |"));
        }

        var growth = SecondHalfGrowth().ToList();
        if (growth.Count > 0)
        {
            var largest = growth.MaxBy(g => g.Bytes);
            text.AppendLine();
            text.AppendLine(Invariant($"RSS growth in the second half, all processes together: {Mb(growth.Sum(g => g.Bytes))} MB; largest: {largest.Name} {Mb(largest.Bytes)} MB (first half: {Mb(FirstHalfGrowth())} MB together)."));
        }

        var heapGrowth = SecondHalfLiveHeapGrowth().ToList();
        if (heapGrowth.Count > 0)
        {
            var largest = heapGrowth.MaxBy(g => g.Bytes);
            text.AppendLine(Invariant($"Live heap growth in the second half, .NET processes together: {Mb(heapGrowth.Sum(g => g.Bytes))} MB; largest: {largest.Name} {Mb(largest.Bytes)} MB."));
        }

        var all = GcPauses.Values.Where(p => p.Count > 0).ToList();
        if (all.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"GC pause p99, worst process: {all.Max(p => p.P99Ms):0.00} ms; longest pause: {all.Max(p => p.MaxMs):0.00} ms."));
        }

        return text.ToString();
    }

    public object Json() => new
    {
        duration_s = Options.Duration.TotalSeconds,
        rate = Options.Rate,
        change_every_s = Options.ChangeEvery.TotalSeconds,
        elapsed_s = Elapsed.TotalSeconds,
        load = Load,
        changes_applied = ChangesApplied,
        changes_refused = ChangesRefused,
        first_refusal = FirstRefusal,
        processes = Start.Select(s => new
        {
            s.Pid,
            s.Name,
            rss_start = s.RssBytes,
            rss_half = Halfway.FirstOrDefault(e => e.Pid == s.Pid)?.RssBytes,
            rss_end = End.FirstOrDefault(e => e.Pid == s.Pid)?.RssBytes,
            live_heap_start = s.LiveHeapBytes,
            live_heap_half = Halfway.FirstOrDefault(e => e.Pid == s.Pid)?.LiveHeapBytes,
            live_heap_end = End.FirstOrDefault(e => e.Pid == s.Pid)?.LiveHeapBytes,
            fds_start = s.OpenFds,
            fds_end = End.FirstOrDefault(e => e.Pid == s.Pid)?.OpenFds,
            gc_pauses = GcPauses.TryGetValue(s.Pid, out var p) ? p.Count : (int?)null,
            gc_pause_p99_ms = GcPauses.TryGetValue(s.Pid, out var q) ? q.P99Ms : (double?)null,
            gc_pause_max_ms = GcPauses.TryGetValue(s.Pid, out var r) ? r.MaxMs : (double?)null,
        }),
    };

    /// <summary>RSS end minus halfway of every process alive at both.</summary>
    public IEnumerable<(string Name, long Bytes)> SecondHalfGrowth() =>
        from half in Halfway
        join last in End on half.Pid equals last.Pid
        select (half.Name, last.RssBytes - half.RssBytes);

    /// <summary>Live heap end minus halfway of every .NET process measured at both.</summary>
    public IEnumerable<(string Name, long Bytes)> SecondHalfLiveHeapGrowth() =>
        from half in Halfway
        join last in End on half.Pid equals last.Pid
        where half.LiveHeapBytes is not null && last.LiveHeapBytes is not null
        select (half.Name, last.LiveHeapBytes!.Value - half.LiveHeapBytes!.Value);

    private long FirstHalfGrowth() =>
        (from first in Start join half in Halfway on first.Pid equals half.Pid select half.RssBytes - first.RssBytes).Sum();

    private static string Heap(ProcessSnapshot? snapshot) => snapshot?.LiveHeapBytes is { } bytes ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "—";

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
