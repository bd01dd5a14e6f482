using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Mesh.Bench.Tool.ControlPlaneSim;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Benchmarks.PushCost;

/// <summary>
/// <c>bench/run push-cost [--proxies 1000,5000] [--changes 3] [--scoped] [--destination-rules N]</c>: what one push costs the
/// control plane at fleet scale, measured in process so it stays meaningful on a busy machine —
/// CPU time (all threads, GC included) and bytes allocated, not wall time. The fleet and the
/// changes are cp-sim's (<see cref="SimulatedMesh"/>: S = N/20 services, replicas v1/v2, svc-0's
/// split moved by a VirtualService); the push is the control plane's own code from the build set
/// (<see cref="SnapshotCache"/>) through <see cref="PushRound"/> and every proxy's delta writer to
/// its ACK (<see cref="SimulatedFleet"/>). The configuration is applied as cp-sim applies it, through
/// the admin API's <see cref="ConfigStore"/> (validation, entries, the journal on disk), timed on its
/// own. Phases: the first snapshot to every proxy, a VirtualService change (median of --changes), an
/// endpoint change (one replica joins).
/// </summary>
internal static class PushCostCommand
{
    // A push in which no proxy took a delta for this long is broken, not slow: report it and stop.
    private static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var sizes = new List<int> { 1000, 5000 };
        var changes = 3;
        var scoped = false;
        var destinationRules = 0;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--proxies" when i + 1 < args.Count:
                    sizes = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--changes" when i + 1 < args.Count:
                    changes = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--scoped":
                    scoped = true;
                    break;
                case "--destination-rules" when i + 1 < args.Count:
                    destinationRules = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"push-cost: unknown argument '{args[i]}' (--proxies N,N --changes N --scoped --destination-rules N)");
                    return 2;
            }
        }

        Console.WriteLine($"push-cost: {Environment.ProcessorCount} CPUs, server GC {System.Runtime.GCSettings.IsServerGC}, {(scoped ? "Sidecar-scoped (3 services per proxy)" : "every proxy sees every service")}"
            + (destinationRules > 0 ? $", {destinationRules:N0} more DestinationRules" : ""));
        Console.WriteLine("| proxies / services | phase | CPU ms | of which apply | of which builds | allocated MB | shape builds | route builds | delta plans | written per proxy | wall ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var proxies in sizes)
        {
            try
            {
                await MeasureAsync(proxies, changes, scoped, destinationRules);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                Console.Error.WriteLine($"push-cost: the measurement at {proxies:N0} proxies failed: {ex.Message}");
                return 1;
            }
        }

        return 0;
    }

    private static async Task MeasureAsync(int proxies, int changes, bool scoped, int destinationRules)
    {
        var services = Math.Max(1, proxies / 20);
        var nodes = Enumerable.Range(0, proxies).Select(i => SimulatedMesh.NodeFor(i, services)).ToList();
        var registry = new RegistrySnapshot(1, [.. nodes.Select(n => new WorkloadInstance(n, DateTimeOffset.UnixEpoch))]);
        var settings = new MeshSettings { TrustBundlePem = ["-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"] };
        var cache = new SnapshotCache(new DefaultProxySnapshotBuilder());
        var plans = new SnapshotDeltaPlans();
        await using var fleet = new SimulatedFleet(nodes, plans);
        var label = $"{proxies:N0} / {services}";

        // The store as the control plane runs it (its data directory: applied objects and the journal).
        var data = Directory.CreateTempSubdirectory("push-cost-");
        try
        {
            var store = new ConfigStore(
                new AppliedConfigRepository(data.FullName),
                new AcceptedConfigJournal(data.FullName, NullLogger<AcceptedConfigJournal>.Instance),
                TimeProvider.System,
                NullLogger<ConfigStore>.Instance);
            await ApplyAsync(store, SimulatedMesh.BaseConfig() + SimulatedMesh.MoreDestinationRules(destinationRules, services)
                + (scoped ? "\n---\n" + SimulatedMesh.SidecarScopes(services) : ""));
            await ApplyAsync(store, SimulatedMesh.Change(0));
            var inputs = () => new SnapshotInputs(store.Current.Model, registry, settings);
            await PushAsync(label, "first snapshot to all", cache, plans, fleet, () => Task.FromResult(inputs()), report: true);

            // Untimed: the JIT and the caches of the change path warm up once.
            await PushAsync(label, "warm-up change", cache, plans, fleet, Change(store, 1, inputs), report: false);

            var measured = new List<PushCost>();
            for (var n = 0; n < changes; n++)
            {
                measured.Add(await PushAsync(label, $"VirtualService change {n + 1}", cache, plans, fleet, Change(store, n + 2, inputs), report: false));
            }

            Report(label, $"VirtualService change (median of {changes})", measured.OrderBy(m => m.CpuMs).ElementAt(measured.Count / 2), proxies);

            // One more replica of svc-1: every proxy that sees svc-1 gets its new endpoint, nothing else.
            var joining = SimulatedMesh.NodeFor(proxies + 1, services);
            joining.Id = "sim-joining";
            registry = registry with { Version = registry.Version + 1, Workloads = registry.Workloads.Add(new WorkloadInstance(joining, DateTimeOffset.UnixEpoch)) };
            await PushAsync(label, "endpoint change", cache, plans, fleet, () => Task.FromResult(inputs()), report: true);
        }
        finally
        {
            data.Delete(recursive: true);
        }

        var synced = fleet.Connections.Count(c => c.GetStatus().Status == ProxySyncStatus.Synced);
        Console.WriteLine($"|  | SYNCED at the end | {synced}/{proxies} |  |  |  |  |  |  |  |  |");
    }

    // A change as the admin API applies it; the push then takes the store's new model.
    private static Func<Task<SnapshotInputs>> Change(ConfigStore store, int n, Func<SnapshotInputs> inputs) => async () =>
    {
        await ApplyAsync(store, SimulatedMesh.Change(n));
        return inputs();
    };

    private static async Task ApplyAsync(ConfigStore store, string yaml)
    {
        var result = await store.ApplyAsync(yaml, CancellationToken.None);
        if (result.Outcome != ConfigChangeOutcome.Accepted)
        {
            throw new InvalidOperationException($"the configuration was not accepted ({result.Outcome}): {result.Message}; {string.Join("; ", result.Errors)}");
        }
    }

    private static async Task<PushCost> PushAsync(string label, string phase, SnapshotCache cache, SnapshotDeltaPlans plans, SimulatedFleet fleet, Func<Task<SnapshotInputs>> apply, bool report)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var builds = cache.BuildCount;
        var computed = plans.Computed;
        var bytes = fleet.Bytes;
        var wall = Stopwatch.StartNew();

        var inputs = await apply();
        process.Refresh();
        var applyCpu = process.TotalProcessorTime - cpu;
        var set = cache.For(inputs);
        var routeBuildsBefore = set.Inputs.Memo.EpochRouteBuilds;

        // The builds first (as PushRound does), timed on their own: the rest is delivery (delta
        // plans, writes, ACKs).
        foreach (var shape in fleet.Connections.DistinctBy(c => c.ShapeKey))
        {
            set.Get(shape.ShapeKey, shape.Shape);
        }

        process.Refresh();
        var buildCpu = process.TotalProcessorTime - cpu - applyCpu;
        PushRound.Offer(set, fleet.Connections, (connection, ex) => Console.Error.WriteLine($"build failed for {connection.Id}: {ex.Message}"));
        await fleet.SettledAsync(StalledAfter);

        wall.Stop();
        process.Refresh();
        var cost = new PushCost(
            (process.TotalProcessorTime - cpu).TotalMilliseconds,
            applyCpu.TotalMilliseconds,
            buildCpu.TotalMilliseconds,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0,
            cache.BuildCount - builds,
            set.Inputs.Memo.EpochRouteBuilds - (set.Inputs.Memo.CarriedOver ? routeBuildsBefore : 0),
            plans.Computed - computed,
            fleet.Bytes - bytes,
            wall.Elapsed.TotalMilliseconds);
        if (report)
        {
            Report(label, phase, cost, fleet.Connections.Count);
        }

        return cost;
    }

    private static void Report(string label, string phase, PushCost cost, int proxies) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {phase} | {cost.CpuMs:F0} | {cost.ApplyCpuMs:F0} | {cost.BuildCpuMs:F0} | {cost.AllocatedMb:F1} | {cost.Builds} | {cost.RouteBuilds} | {cost.Plans} | {FormatBytes(cost.Bytes / (double)proxies)} | {cost.WallMs:F0} |"));

    private static string FormatBytes(double bytes) =>
        bytes >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:F1} KB") : string.Create(CultureInfo.InvariantCulture, $"{bytes:F0} B");

    private sealed record PushCost(double CpuMs, double ApplyCpuMs, double BuildCpuMs, double AllocatedMb, long Builds, long RouteBuilds, long Plans, long Bytes, double WallMs);
}
