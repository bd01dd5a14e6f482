using Mesh.Bench.Tool.Soak;

namespace Mesh.Bench.Tests;

/// <summary>The soak's measurements on this test process itself: its GC pauses over EventPipe, its RSS and file descriptors.</summary>
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
}
