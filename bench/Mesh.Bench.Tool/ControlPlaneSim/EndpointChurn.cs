using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// A rolling restart as the control plane sees it: a surge of extra replicas joins first (untimed),
/// then every interval, alternately, one more replica joins or the oldest extra one leaves (its
/// stream ends, so its endpoint goes), for the duration. Each replica lives <see cref="MinimumLifetime"/>
/// or longer, as pods of a rolling restart do, so every event is a lasting change every steady
/// proxy that sees its service must receive. (Until 2026-12-07 the replica that joined left at the
/// next tick, 100 ms later: a push round merging the two sent nothing, since the endpoint set was
/// back where it was, and the harness counted both events until the next snapshot that did
/// arrive — seconds later when several rounds in a row merged such pairs. That, not the push
/// path, was the 1.8 s p99 of the 15:40 UTC run.) Measured on the N steady proxies: for each
/// endpoint change, how long until each of them received a snapshot after it (push latency), and
/// the control plane's CPU over the phase.
/// </summary>
public sealed class EndpointChurn(SimulatorOptions options, ControlPlaneProbe probe)
{
    /// <summary>How long an extra replica lives at least: well above the control plane's push max delay (500 ms).</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(2);

    public async Task<ChurnResult> RunAsync(IReadOnlyList<SimulatedProxy> proxies, IReadOnlyList<GrpcChannel> channels, Method<Mesh.Contracts.Discovery.ProxyMessage, SnapshotHeader> method, CancellationToken cancellationToken)
    {
        var services = options.EffectiveServices;
        var events = new List<(long AtNs, int Service)>();
        var churners = new Queue<(SimulatedProxy Proxy, CancellationTokenSource Stop, Task Stream)>();
        var joined = 0;
        void Join()
        {
            var index = options.Proxies + joined++;
            var replica = new SimulatedProxy(SimulatedMesh.NodeFor(index, services), fullDecode: false, acceptZlib: !options.Uncompressed);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var invoker = channels[joined % channels.Count].CreateCallInvoker();
            churners.Enqueue((replica, stop, Task.Run(() => replica.RunAsync(invoker, method, stop.Token), CancellationToken.None)));
        }

        // The surge: with one join and one leave per two intervals, this many extra replicas make each live MinimumLifetime.
        var surge = Math.Max(1, (int)Math.Ceiling(MinimumLifetime / (2 * options.ChurnInterval)));
        for (var i = 0; i < surge; i++)
        {
            Join();
        }

        await Task.Delay(MinimumLifetime, cancellationToken);
        foreach (var proxy in proxies)
        {
            proxy.RecordArrivals();
        }

        var cpuBefore = probe.Cpu("churn start");
        var startNs = PreciseClock.NowNs();
        var endNs = startNs + (long)(options.ChurnDuration.TotalMilliseconds * 1e6);
        using var ticker = new PeriodicTimer(options.ChurnInterval);
        try
        {
            for (var tick = 0; PreciseClock.NowNs() < endNs && await ticker.WaitForNextTickAsync(cancellationToken); tick++)
            {
                if (tick % 2 == 0)
                {
                    events.Add((PreciseClock.NowNs(), (options.Proxies + joined) % services));
                    Join();
                }
                else
                {
                    var (replica, stop, stream) = churners.Dequeue();
                    events.Add((PreciseClock.NowNs(), SimulatedMesh.ServiceIndexOf(replica.Node)));
                    await stop.CancelAsync();
                    await stream;
                    stop.Dispose();
                }
            }

            // Let the last change reach everyone before measuring.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }
        finally
        {
            foreach (var (_, stop, stream) in churners)
            {
                await stop.CancelAsync();
                await stream;
                stop.Dispose();
            }
        }

        var seconds = (PreciseClock.NowNs() - startNs) / 1e9;
        var cpu = probe.Cpu("churn end") - cpuBefore;
        // Each snapshot a proxy receives delivers the endpoint changes made since its previous one
        // (the control plane merges what happened in between into one push): their latency is the
        // arrival minus each change's time, as Istio's convergence time counts a merged push. A
        // proxy whose view a change does not touch (a service its Sidecar does not import) is not
        // expected to get a push for it and does not count it.
        var latencies = new List<double>();
        long snapshots = 0;
        foreach (var proxy in proxies)
        {
            var arrivals = proxy.StopRecordingArrivals();
            snapshots += arrivals.Length;
            var visible = SimulatedMesh.VisibleServices(SimulatedMesh.ServiceIndexOf(proxy.Node), services, options.SidecarScope);
            var seen = events.Where(e => visible.Contains(e.Service)).Select(e => e.AtNs).ToList();
            var previous = long.MinValue;
            var next = 0;
            foreach (var arrival in arrivals)
            {
                while (next < seen.Count && seen[next] <= previous)
                {
                    next++;
                }

                for (; next < seen.Count && seen[next] <= arrival; next++)
                {
                    latencies.Add((arrival - seen[next]) / 1e6);
                }

                previous = arrival;
            }
        }

        latencies.Sort();
        return new ChurnResult(
            events.Count,
            options.ChurnInterval.TotalMilliseconds,
            ProxySimulator.Percentile(latencies, 0.50),
            ProxySimulator.Percentile(latencies, 0.99),
            latencies.Count == 0 ? double.NaN : latencies[^1],
            latencies.Count / (double)proxies.Count,
            snapshots / (double)proxies.Count,
            cpu,
            cpu / seconds);
    }
}

/// <summary>
/// Endpoint churn: events (joins and leaves), push latency after them over the steady proxies
/// (p50/p99/max), changes delivered and snapshots received per steady proxy, control-plane CPU
/// seconds over the phase and cores used on average.
/// </summary>
public sealed record ChurnResult(int Events, double IntervalMs, double PushP50Ms, double PushP99Ms, double PushMaxMs, double DeliveredPerProxy, double SnapshotsPerProxy, double CpuSeconds, double CpuCores);
