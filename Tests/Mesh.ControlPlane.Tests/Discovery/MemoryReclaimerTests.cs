using System.Net;
using System.Runtime.CompilerServices;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Configuration;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>Memory comes back after a large configuration is removed: nothing keeps the old model, and the process collects it.</summary>
public sealed class MemoryReclaimerTests
{
    /// <summary>
    /// Before the fix the snapshot cache kept the build sets of its three latest inputs, each
    /// holding its model and every shape's snapshot: the removed configuration stayed alive.
    /// </summary>
    [Fact]
    public async Task A_replaced_large_configuration_is_not_kept_alive_by_the_control_plane()
    {
        await using var controlPlane = await TestControlPlane.StartAsync();
        await using var proxy = await controlPlane.Proxy("productpage-v1").ConnectAsync();
        var first = await proxy.NextAsync();
        await proxy.AckAsync(first.Version);

        // (Large or small: what matters is whether anything still references the replaced model.)
        // Each VirtualService's host is a ServiceEntry, so that productpage's snapshot changes (a
        // VirtualService for a host nobody declares is in no proxy's snapshot, and nothing is pushed).
        var large = Yaml.Documents([.. Enumerable.Range(0, 4).SelectMany(i => new[] { ServiceEntry($"svc-{i}"), ConfigSizeLimitTests.Large($"svc-{i}", 5_000) })]);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(large)).Status);
        var withLarge = await proxy.NextAsync();
        Assert.Equal(1, withLarge.ConfigGeneration);
        await proxy.AckAsync(withLarge.Version);
        var oldModel = Track(controlPlane.Service<ConfigStore>());

        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.DeleteYamlAsync(large)).Status);
        var after = await proxy.NextAsync();
        Assert.Equal(2, after.ConfigGeneration);
        await proxy.AckAsync(after.Version);
        await Poll.ForAsync("productpage-v1 SYNCED", () => controlPlane.Admin.GetJsonAsync("/api/v1/proxies/productpage-v1"), s => s["status"]!.GetValue<string>() == "SYNCED");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(oldModel.IsAlive, "the replaced model is still referenced");
    }

    private static string ServiceEntry(string host) => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: {host}
        spec:
          hosts:
          - {host}.default.svc.cluster.local
          location: MESH_INTERNAL
          ports:
          - number: 80
            name: http
            protocol: HTTP
          resolution: STATIC
          endpoints:
          - address: 10.0.0.1

        """;

    [Fact]
    public void A_large_drop_in_configuration_size_is_collected_once_after_the_delay()
    {
        var time = new FakeTimeProvider();
        var reclaimer = new MemoryReclaimer(time, TimeSpan.FromSeconds(5), NullLogger<MemoryReclaimer>.Instance);

        reclaimer.Pushed(10 * MemoryReclaimer.MinimumDrop);
        reclaimer.Pushed(9 * MemoryReclaimer.MinimumDrop); // not to half its peak
        reclaimer.Pushed(10 * MemoryReclaimer.MinimumDrop);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, reclaimer.Reclaims);

        reclaimer.Pushed(MemoryReclaimer.MinimumDrop);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, reclaimer.Reclaims); // the proxies' writers may still hold the old snapshots
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, reclaimer.Reclaims);

        // A small configuration going away is not worth a collection.
        reclaimer.Pushed(MemoryReclaimer.MinimumDrop / 2);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, reclaimer.Reclaims);
    }

    // Not inlined, so no local of the test method keeps the model alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Track(ConfigStore store) => new(store.Current.Model);
}
