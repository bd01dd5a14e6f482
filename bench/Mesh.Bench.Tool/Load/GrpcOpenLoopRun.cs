using Google.Protobuf;
using Grpc.Net.Client;
using Mesh.Bench.Tool.Grpc;

namespace Mesh.Bench.Tool.Load;

/// <summary>
/// Open-loop gRPC unary load over one h2c channel: call i starts at start + i / rate and its
/// latency runs from that scheduled time to the reply (and OK status), like <see cref="OpenLoopHttpRun"/>.
/// </summary>
public sealed class GrpcOpenLoopRun
{
    private readonly OpenLoopOptions _options;
    private readonly LatencyRecorder _recorder;
    private readonly int _scheduled;
    private string? _firstError;

    public GrpcOpenLoopRun(OpenLoopOptions options)
    {
        _options = options;
        _scheduled = (int)Math.Ceiling(options.Rate * options.Duration.TotalSeconds);
        _recorder = new LatencyRecorder(_scheduled + 16);
    }

    public async Task<LatencySummary> RunAsync(CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(_options.Target, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false },
        });
        var client = new BenchEcho.BenchEchoClient(channel);
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[16]) };

        // Open the connection and check the route before the clock starts.
        await client.UnaryAsync(request, cancellationToken: cancellationToken);

        var startNs = PreciseClock.NowNs() + 10_000_000;
        var intervalNs = 1e9 / _options.Rate;
        await DispatcherThread.Run("grpc open-loop dispatcher", () =>
        {
            for (var i = 0; i < _scheduled; i++)
            {
                var due = startNs + (long)(i * intervalNs);
                if (PreciseClock.NowNs() < due)
                {
                    PreciseClock.SleepUntil(due);
                }

                _recorder.RecordDispatchLag(PreciseClock.NowNs() - due);
                _ = CallAsync(client, request, due);
            }
        });
        var endNs = startNs + (long)(_scheduled * intervalNs);

        var drainUntil = PreciseClock.NowNs() + (long)_options.Drain.TotalMilliseconds * 1_000_000;
        while (_recorder.Completed + _recorder.Errors < _scheduled && PreciseClock.NowNs() < drainUntil)
        {
            await Task.Delay(5, cancellationToken);
        }

        return _recorder.Summarize(_scheduled, (Math.Max(PreciseClock.NowNs(), endNs) - startNs) / 1e9, _firstError);
    }

    private async Task CallAsync(BenchEcho.BenchEchoClient client, EchoRequest request, long scheduledNs)
    {
        try
        {
            var reply = await client.UnaryAsync(request).ConfigureAwait(false);
            var now = PreciseClock.NowNs();
            if (reply.Payload.Length == BenchEchoService.ReplyBytes)
            {
                _recorder.Record(now - scheduledNs);
            }
            else
            {
                Fail($"reply of {reply.Payload.Length} bytes");
            }
        }
        catch (Exception ex)
        {
            Fail(ex.Message);
        }
    }

    private void Fail(string reason)
    {
        _recorder.RecordError();
        Interlocked.CompareExchange(ref _firstError, reason, null);
    }
}
