using Mesh.Bench.Tool.Soak;

namespace Mesh.Bench.Tests;

/// <summary>The soak's measurements on this test process itself: its GC pauses and live heap over EventPipe, its RSS and file descriptors.</summary>
public sealed class SoakMeasurementTests
{
    [Fact]
    public async Task The_GC_pause_recorder_sees_every_forced_collection_of_a_process()
    {
        var recorder = GcPauseRecorder.TryStart(Environment.ProcessId);
        Assert.NotNull(recorder);

        // Wait until the session is live: a collection only counts once its events flow.
        await recorder.WaitUntilRecordingAsync(() => GC.Collect(), TimeSpan.FromSeconds(60));
        var before = recorder.Seen;
        for (var i = 0; i < 5; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        }

        var (count, p99, max) = await recorder.StopAsync();
        await recorder.DisposeAsync();

        Assert.True(count >= before + 5, $"{count} pauses seen, {before} before the 5 collections");
        Assert.InRange(p99, 0.0, max);
    }

    [Fact]
    public void A_process_sample_names_the_process_and_counts_its_memory_and_descriptors()
    {
        var self = Assert.Single(SoakProcesses.Sample([Environment.ProcessId]), p => p.Pid == Environment.ProcessId);
        Assert.False(string.IsNullOrEmpty(self.Name));
        Assert.True(self.RssBytes > 0);
        Assert.True(self.OpenFds > 0);
    }

    [Fact]
    public async Task The_live_heap_counts_what_a_process_keeps_alive_and_not_what_it_dropped()
    {
        // Other tests of this assembly run in parallel in the same process and allocate too (CI saw
        // 13 MB more live between the two samples): the array is large and the bound is half of it,
        // which a sampler that counted garbage (heap size instead of what survived) still misses.
        const int Size = 128 * 1024 * 1024;
        var kept = new byte[Size];
        Array.Fill(kept, (byte)1);
        var holding = await LiveHeapSampler.MeasureAsync(Environment.ProcessId, TimeSpan.FromSeconds(60));
        GC.KeepAlive(kept);
        kept = null;
        var dropped = await LiveHeapSampler.MeasureAsync(Environment.ProcessId, TimeSpan.FromSeconds(60));

        Assert.NotNull(holding);
        Assert.NotNull(dropped);
        Assert.True(holding >= Size, $"live heap {holding} bytes while holding a {Size}-byte array");
        Assert.True(holding - dropped >= Size / 2, $"live heap {holding} → {dropped} bytes after dropping the array");
    }

    [Fact]
    public async Task The_live_heap_of_a_process_that_does_not_exist_is_unknown() =>
        Assert.Null(await LiveHeapSampler.MeasureAsync(int.MaxValue, TimeSpan.FromSeconds(5)));
}
