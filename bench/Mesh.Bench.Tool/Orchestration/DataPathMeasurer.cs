using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Reporting;
using Mesh.Bench.Tool.Scenarios;
using Mesh.Bench.Tool.Tools;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// Drives load at one scenario: closed-loop saturation (wrk / h2load) and the open-loop fixed
/// rate, each with the proxies' CPU and memory sampled from /proc over exactly that phase.
/// </summary>
public sealed class DataPathMeasurer(RunContext run)
{
    private const string GrpcPath = "/mesh.bench.v1.BenchEcho/Unary";
    private string? _grpcBody;

    public Task WarmUpAsync(Scenario scenario, double seconds) => seconds <= 0
        ? Task.CompletedTask
        : ClosedLoopAsync(scenario, TimeSpan.FromSeconds(seconds));

    public async Task<SaturationResult> SaturateAsync(Scenario scenario)
    {
        var meter = new PhaseMeter(scenario.Proxies);
        meter.Start(resetPeakRss: false);
        var result = await ClosedLoopAsync(scenario, TimeSpan.FromSeconds(run.Settings.SaturationSeconds));
        var (elapsed, samples) = meter.Stop();
        var cpu = samples.Sum(s => s.CpuSeconds);
        return new SaturationResult(
            elapsed.TotalSeconds,
            result.RequestsPerSecond,
            result.Requests,
            result.Errors,
            result.P50Ms,
            result.P90Ms,
            result.P99Ms,
            result.Requests > 0 ? cpu * 1e6 / result.Requests : double.NaN,
            samples);
    }

    public async Task<FixedRateResult> FixedRateAsync(Scenario scenario)
    {
        var settings = run.Settings;
        var meter = new PhaseMeter(scenario.Proxies);
        (TimeSpan Elapsed, IReadOnlyList<ProcessSample> Samples)? window = null;
        var target = scenario.Grpc ? new Uri(scenario.Target, "/") : scenario.Target;
        var latency = await OpenLoopRunner.RunAsync(
            new OpenLoopRunRequest(
                target,
                settings.Rate,
                TimeSpan.FromSeconds(settings.OpenLoopSeconds),
                TimeSpan.FromSeconds(settings.OpenLoopWarmupSeconds),
                settings.OpenLoopConnections,
                scenario.Grpc ? 0 : SharedServices.BodyBytes,
                scenario.Grpc,
                settings.LoadCpus),
            () => meter.Start(resetPeakRss: true),
            () => window = meter.Stop());
        var (elapsed, samples) = window ?? throw new InvalidOperationException("the open-loop generator did not mark its measured window");
        var cpuPerSecond = samples.Sum(s => s.CpuSeconds) / elapsed.TotalSeconds;
        var vcpuPer1k = latency.AchievedRate > 0 ? cpuPerSecond / (latency.AchievedRate / 1000) : double.NaN;
        return new FixedRateResult(elapsed.TotalSeconds, latency, vcpuPer1k, samples);
    }

    private Task<ClosedLoopResult> ClosedLoopAsync(Scenario scenario, TimeSpan duration)
    {
        var settings = run.Settings;
        return scenario.Grpc
            ? H2LoadRunner.RunAsync(settings.LoadCpus, new Uri(scenario.Target, GrpcPath), GrpcBody(), settings.Connections, duration)
            : WrkRunner.RunAsync(settings.LoadCpus, scenario.Target, settings.Connections, duration, hostHeader: null);
    }

    /// <summary>A framed gRPC request (uncompressed flag, length, EchoRequest with 16 payload bytes) for h2load.</summary>
    private string GrpcBody()
    {
        if (_grpcBody is null)
        {
            var message = new global::Mesh.Bench.Tool.Grpc.EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[16]) };
            var bytes = Google.Protobuf.MessageExtensions.ToByteArray(message);
            var framed = new byte[5 + bytes.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), bytes.Length);
            bytes.CopyTo(framed, 5);
            _grpcBody = Path.Combine(run.RunDirectory, "grpc-request.bin");
            File.WriteAllBytes(_grpcBody, framed);
        }

        return _grpcBody;
    }
}
