using Grpc.Core;
using System.Diagnostics;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// Connects N simulated proxies to a running control plane over a few HTTP/2 connections, waits
/// for the connection storm to settle, then applies config changes through the admin API and
/// times how long it takes until every proxy has ACKed each one.
/// </summary>
public sealed class ProxySimulator(SimulatorOptions options, Action<string> log)
{
    private readonly ControlPlaneProbe _probe = new(options.ControlPlanePid);

    public async Task<SimulatorResult> RunAsync(CancellationToken cancellationToken)
    {
        var services = options.EffectiveServices;
        using var admin = new AdminClient(options.AdminUrl);
        await admin.ApplyAsync(SimulatedMesh.BaseConfig(), cancellationToken);
        if (options.SidecarScope)
        {
            await admin.ApplyAsync(SimulatedMesh.SidecarScopes(services), cancellationToken);
        }

        var channels = Enumerable.Range(0, options.Connections).Select(_ => GrpcChannel.ForAddress(options.GrpcUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                UseProxy = false,
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                InitialHttp2StreamWindowSize = options.StreamWindowBytes,
            },
            MaxReceiveMessageSize = null,
        })).ToList();
        var proxies = Enumerable.Range(0, options.Proxies).Select(i => new SimulatedProxy(SimulatedMesh.NodeFor(i, services), fullDecode: i == 0, acceptZlib: !options.Uncompressed)).ToList();
        var fast = DiscoveryMethods.StreamDeltas(fullDecode: false);
        var full = DiscoveryMethods.StreamDeltas(fullDecode: true);

        var rssBefore = _probe.Memory("before connecting")?.Rss ?? 0;
        var cpuBefore = _probe.Cpu("before connecting");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var startNs = PreciseClock.NowNs();
        List<Task> streams = [.. proxies.Select((p, i) => Task.Run(() => p.RunAsync(channels[i / options.StreamsPerConnection].CreateCallInvoker(), p.FullDecode ? full : fast, stop.Token)))];

        try
        {
            return await MeasureAsync(admin, proxies, streams, channels, fast, stop, startNs, rssBefore, cpuBefore, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever failed (the admin API, a measurement, the simulator itself), what was measured so far is reported.
            return await IncompleteAsync(proxies, streams, channels, stop, rssBefore, cpuBefore, $"the simulation failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private async Task<SimulatorResult> MeasureAsync(
        AdminClient admin, List<SimulatedProxy> proxies, List<Task> streams, List<GrpcChannel> channels, Method<ProxyMessage, SnapshotHeader> method,
        CancellationTokenSource stop, long startNs, long rssBefore, double cpuBefore, CancellationToken cancellationToken)
    {
        // Phase 1: every proxy has a first snapshot; then the pushes caused by the joins stop.
        // A control plane that cannot get there in time gets a partial result, not a hang.
        try
        {
            await WaitAsync(() => proxies.All(p => p.Snapshots > 0 || p.Failure is not null), "every proxy got a first snapshot", cancellationToken);
        }
        catch (TimeoutException ex)
        {
            return await IncompleteAsync(proxies, streams, channels, stop, rssBefore, cpuBefore,
                $"{ex.Message}: {proxies.Count(p => p.Snapshots > 0)} of {options.Proxies} proxies had one");
        }

        var allConnectedMs = (PreciseClock.NowNs() - startNs) / 1e6;
        log($"{options.Proxies} proxies connected in {allConnectedMs:0} ms");
        try
        {
            await WaitSettledAsync(proxies, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            return await IncompleteAsync(proxies, streams, channels, stop, rssBefore, cpuBefore, ex.Message) with { AllConnectedMs = allConnectedMs };
        }

        var convergedMs = (proxies.Max(p => p.LastReceivedNs) - startNs) / 1e6;
        var connectCpu = _probe.Cpu("storm settled") - cpuBefore;
        var snapshotsDuringConnect = proxies.Sum(p => (long)p.Snapshots);
        var rssConnected = _probe.Memory("storm settled")?.Rss ?? 0;
        log($"settled after {convergedMs:0} ms, {snapshotsDuringConnect} snapshots pushed");

        // Phase 2: idle cost of N connected proxies.
        var idleCpuBefore = _probe.Cpu("idle start");
        var idleWatch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var idleCpuPercent = (_probe.Cpu("idle end") - idleCpuBefore) / idleWatch.Elapsed.TotalSeconds * 100;

        // Phase 3: config changes, one at a time.
        var changes = new List<ChangeResult>();
        for (var n = 1; n <= options.Changes; n++)
        {
            changes.Add(await ChangeAsync(admin, proxies, n, cancellationToken));
            log($"change {n}: p50 {changes[^1].P50Ms:0.0} ms, p99 {changes[^1].P99Ms:0.0} ms, max {changes[^1].MaxMs:0.0} ms");
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        // Phase 4 (optional): endpoint churn, a rolling restart as the control plane sees it.
        ChurnResult? churn = null;
        if (options.ChurnInterval > TimeSpan.Zero)
        {
            churn = await new EndpointChurn(options, _probe).RunAsync(proxies, channels, method, cancellationToken);
            log($"churn: {churn.Events} endpoint changes, push p50 {churn.PushP50Ms:0.0} ms, p99 {churn.PushP99Ms:0.0} ms, {churn.SnapshotsPerProxy:0.0} snapshots per proxy, control plane {churn.CpuCores:0.00} cores");
        }

        var synced = await admin.CountSyncedAsync(cancellationToken);
        var sizes = proxies.Select(p => p.FirstSize).Order().ToArray();
        var deltas = proxies.Select(p => p.LastSize).Order().ToArray();
        var sample = proxies[0].LastFull;
        var memory = _probe.Memory("end");
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        var failed = proxies.Where(p => p.Failure is not null).ToList();
        return new SimulatorResult
        {
            Proxies = options.Proxies,
            Services = options.EffectiveServices,
            Connections = channels.Count,
            AllConnectedMs = allConnectedMs,
            ConvergedMs = convergedMs,
            SnapshotsDuringConnect = snapshotsDuringConnect,
            SnapshotBytesMedian = sizes[sizes.Length / 2],
            SnapshotBytesMax = sizes[^1],
            DeltaBytesMedian = deltas[deltas.Length / 2],
            SnapshotClusters = sample?.Clusters.Count ?? 0,
            SnapshotEndpoints = sample?.Clusters.Sum(c => c.Endpoints.Count) ?? 0,
            SnapshotVirtualHosts = sample?.VirtualHosts.Count ?? 0,
            ControlPlaneRssBeforeBytes = rssBefore,
            ControlPlaneRssConnectedBytes = rssConnected,
            ControlPlanePeakRssBytes = memory?.PeakRss ?? 0,
            RssPerProxyBytes = (rssConnected - rssBefore) / (double)options.Proxies,
            ConnectCpuSeconds = connectCpu,
            IdleCpuPercent = idleCpuPercent,
            Changes = changes,
            SidecarScoped = options.SidecarScope,
            Churn = churn,
            AckP50Ms = Median(changes.Select(c => c.P50Ms)),
            AckP99Ms = Median(changes.Select(c => c.P99Ms)),
            AckMaxMs = Median(changes.Select(c => c.MaxMs)),
            CpuMsPerChange = Median(changes.Select(c => c.CpuSeconds * 1000)),
            CpuUsPerProxyPerChange = Median(changes.Select(c => c.CpuSeconds * 1e6 / options.Proxies)),
            SyncedPerControlPlane = synced,
            SimulatorCpuSeconds = ProcReader.CpuSeconds(Environment.ProcessId) ?? 0,
            FailedProxies = failed.Count,
            FirstFailure = failed.FirstOrDefault()?.Failure,
            MeasurementFailures = _probe.Failures,
        };
    }

    private async Task<SimulatorResult> IncompleteAsync(
        List<SimulatedProxy> proxies, List<Task> streams, List<GrpcChannel> channels, CancellationTokenSource stop, long rssBefore, double cpuBefore, string reason)
    {
        log("incomplete: " + reason);
        var memory = _probe.Memory("incomplete");
        var cpu = _probe.Cpu("incomplete") - cpuBefore;
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        return new SimulatorResult
        {
            Proxies = options.Proxies,
            Services = options.EffectiveServices,
            Connections = channels.Count,
            Incomplete = reason,
            AllConnectedMs = double.NaN,
            ConvergedMs = double.NaN,
            SnapshotsDuringConnect = proxies.Sum(p => (long)p.Snapshots),
            SnapshotBytesMedian = proxies.Select(p => p.FirstSize).Order().ElementAt(proxies.Count / 2),
            SnapshotBytesMax = proxies.Max(p => p.FirstSize),
            ControlPlaneRssBeforeBytes = rssBefore,
            ControlPlaneRssConnectedBytes = memory?.Rss ?? 0,
            ControlPlanePeakRssBytes = memory?.PeakRss ?? 0,
            RssPerProxyBytes = ((memory?.Rss ?? 0) - rssBefore) / (double)options.Proxies,
            ConnectCpuSeconds = cpu,
            AckP50Ms = double.NaN,
            AckP99Ms = double.NaN,
            AckMaxMs = double.NaN,
            CpuMsPerChange = double.NaN,
            CpuUsPerProxyPerChange = double.NaN,
            SimulatorCpuSeconds = ProcReader.CpuSeconds(Environment.ProcessId) ?? 0,
            FailedProxies = proxies.Count(p => p.Failure is not null),
            FirstFailure = proxies.FirstOrDefault(p => p.Failure is not null)?.Failure,
            MeasurementFailures = _probe.Failures,
        };
    }

    private async Task<ChangeResult> ChangeAsync(AdminClient admin, List<SimulatedProxy> proxies, int n, CancellationToken cancellationToken)
    {
        var cpuBefore = _probe.Cpu($"change {n} start");
        var t0 = PreciseClock.NowNs();
        var generation = await admin.ApplyAsync(SimulatedMesh.Change(n), cancellationToken);
        var applyMs = (PreciseClock.NowNs() - t0) / 1e6;
        var deadline = PreciseClock.NowNs() + (long)(options.Timeout.TotalMilliseconds * 1e6);
        while (PreciseClock.NowNs() < deadline && proxies.Any(p => p.Failure is null && p.AckedAtNs(generation) is null))
        {
            await Task.Delay(5, cancellationToken);
        }

        var cpu = _probe.Cpu($"change {n} end") - cpuBefore;
        var latencies = proxies.Select(p => p.AckedAtNs(generation)).OfType<long>().Select(t => (t - t0) / 1e6).Order().ToArray();
        var missing = proxies.Count - latencies.Length;
        return new ChangeResult(
            generation,
            latencies.Length,
            missing,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            latencies.Length == 0 ? double.NaN : latencies[^1],
            applyMs,
            cpu,
            proxies.Sum(p => (long)p.LastSize));
    }

    /// <summary>
    /// The storm is over when, for a whole settle period, no proxy received a snapshot and the
    /// control plane was (nearly) idle: a quiet stream alone is not enough, the control plane may
    /// still be building the next round.
    /// </summary>
    private async Task WaitSettledAsync(List<SimulatedProxy> proxies, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < options.Timeout)
        {
            var cpuBefore = _probe.Cpu("settling");
            var window = Stopwatch.StartNew();
            await Task.Delay(options.Settle, cancellationToken);
            // Unmeasured CPU (no pid, or /proc unreadable) counts as idle: quiet streams then decide alone.
            var busy = (_probe.Cpu("settling") - cpuBefore) / window.Elapsed.TotalSeconds;
            var quiet = PreciseClock.NowNs() - proxies.Max(p => p.LastReceivedNs) > options.Settle.TotalMilliseconds * 1e6;
            if (quiet && (double.IsNaN(busy) || busy < 0.10))
            {
                return;
            }
        }

        throw new TimeoutException($"the connection storm did not settle within {options.Timeout.TotalSeconds:0} s");
    }

    private async Task WaitAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > options.Timeout)
            {
                throw new TimeoutException($"timed out after {options.Timeout.TotalSeconds:0} s waiting until {what}");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    internal static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
