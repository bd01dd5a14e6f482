using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// A rolling restart as the control plane sees it: every interval one extra replica joins or
/// the last joined leaves (its stream ends, so its endpoint goes), alternately, for the duration.
/// Measured on the N steady proxies: for each endpoint change, how long until each of them
/// received a snapshot after it (push latency), and the control plane's CPU over the phase.
/// </summary>
public sealed class EndpointChurn(SimulatorOptions options, ControlPlaneProbe probe)
{
    public async Task<ChurnResult> RunAsync(IReadOnlyList<SimulatedProxy> proxies, IReadOnlyList<GrpcChannel> channels, Method<Mesh.Contracts.Discovery.ProxyMessage, SnapshotHeader> method, CancellationToken cancellationToken)
    {
        var services = options.EffectiveServices;
        foreach (var proxy in proxies)
        {
            proxy.RecordArrivals();
        }

        var events = new List<(long AtNs, int Service)>();
        var churners = new List<(SimulatedProxy Proxy, CancellationTokenSource Stop, Task Stream)>();
        var cpuBefore = probe.Cpu("churn start");
        var startNs = PreciseClock.NowNs();
        var endNs = startNs + (long)(options.ChurnDuration.TotalMilliseconds * 1e6);
        using var ticker = new PeriodicTimer(options.ChurnInterval);
        var joined = 0;
        try
        {
            for (var tick = 0; PreciseClock.NowNs() < endNs && await ticker.WaitForNextTickAsync(cancellationToken); tick++)
            {
                if (tick % 2 == 0)
                {
                    var index = options.Proxies + joined++;
                    events.Add((PreciseClock.NowNs(), index % services));
                    var replica = new SimulatedProxy(SimulatedMesh.NodeFor(index, services), fullDecode: false, acceptZlib: !options.Uncompressed);
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var invoker = channels[joined % channels.Count].CreateCallInvoker();
                    churners.Add((replica, stop, Task.Run(() => replica.RunAsync(invoker, method, stop.Token), CancellationToken.None)));
                }
                else
                {
                    var (replica, stop, stream) = churners[^1];
                    churners.RemoveAt(churners.Count - 1);
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
