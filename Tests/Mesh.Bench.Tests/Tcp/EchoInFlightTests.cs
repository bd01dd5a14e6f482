using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Tcp;

namespace Mesh.Bench.Tests.Tcp;

/// <summary>The 1-byte echo's latency: each echoed byte completes the oldest send, timed from its schedule.</summary>
public sealed class EchoInFlightTests
{
    [Fact]
    public void Bytes_that_come_back_together_complete_the_oldest_sends_in_order()
    {
        var recorder = new LatencyRecorder(10);
        var inFlight = new EchoInFlight();
        inFlight.Sent(1_000_000);
        inFlight.Sent(2_000_000);
        inFlight.Sent(3_000_000);

        Assert.True(inFlight.Received(2, 4_000_000, recorder));
        Assert.Equal(1, inFlight.Count);
        Assert.True(inFlight.Received(1, 5_000_000, recorder));

        // 3, 2 and 2 ms from their scheduled times (not from when they were read).
        var summary = recorder.Summarize(scheduled: 3, elapsedSeconds: 1, firstError: null);
        Assert.Equal(3, summary.Completed);
        Assert.Equal(0, summary.Errors);
        Assert.Equal(2.0, summary.P50Ms);
        Assert.Equal(3.0, summary.MaxMs);
    }

    [Fact]
    public void More_bytes_back_than_sent_is_reported()
    {
        var recorder = new LatencyRecorder(10);
        var inFlight = new EchoInFlight();
        inFlight.Sent(0);
        Assert.False(inFlight.Received(2, 10, recorder));
    }

    [Fact]
    public void Echoes_that_never_come_back_count_as_errors()
    {
        var recorder = new LatencyRecorder(10);
        var inFlight = new EchoInFlight();
        inFlight.Sent(0);
        inFlight.Sent(0);
        Assert.True(inFlight.Received(1, 500_000, recorder));
        Assert.Equal(1, recorder.Summarize(scheduled: 2, elapsedSeconds: 1, firstError: null).Errors);
    }
}
