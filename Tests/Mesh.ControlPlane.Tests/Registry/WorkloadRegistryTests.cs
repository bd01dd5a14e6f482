using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Registry;

public sealed class WorkloadRegistryTests
{
    [Fact]
    public void A_late_removal_of_a_replaced_registration_keeps_the_new_one()
    {
        var registry = new WorkloadRegistry(TimeProvider.System);
        var changes = 0;
        registry.Changed += () => changes++;

        var old = registry.Register(TestProxy.NodeFor("reviews-v1"));
        var renewed = registry.Register(TestProxy.NodeFor("reviews-v1"));
        Assert.False(registry.Remove(old));

        Assert.Same(renewed.Instance, registry.Find("reviews-v1"));
        Assert.Single(registry.Current.Workloads);
        Assert.Equal(2, changes);

        Assert.True(registry.Remove(renewed));
        Assert.Empty(registry.Current.Workloads);
        Assert.Equal(3, registry.Current.Version);
    }

    [Fact]
    public void The_snapshot_is_materialized_once_per_version()
    {
        var registry = new WorkloadRegistry(TimeProvider.System);
        registry.Register(TestProxy.NodeFor("b"));
        registry.Register(TestProxy.NodeFor("a"));

        var first = registry.Current;

        Assert.Same(first, registry.Current);
        Assert.Equal(["a", "b"], first.Workloads.Select(w => w.Node.Id));
    }

    [Fact]
    public async Task Remembered_workloads_stay_until_their_proxy_reconnects_or_the_grace_period_ends()
    {
        var clock = new TestClock();
        using var registry = new WorkloadRegistry(clock);
        registry.Remember([TestProxy.NodeFor("reviews-v1"), TestProxy.NodeFor("reviews-v2")], TimeSpan.FromSeconds(15));
        Assert.Equal(["reviews-v1", "reviews-v2"], registry.Current.Workloads.Select(w => w.Node.Id));

        var reconnected = registry.Register(TestProxy.NodeFor("reviews-v1"));
        await clock.WaitForTimerAsync("the 15 s grace period", TimeSpan.FromSeconds(15));
        clock.Advance(TimeSpan.FromSeconds(15) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, registry.Count);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, registry.Count);
        Assert.Same(reconnected.Instance, registry.Find("reviews-v1"));
        Assert.Null(registry.Find("reviews-v2"));
    }

    /// <summary>
    /// Streams that end because the control plane stops say nothing about their proxies: their
    /// endpoints must stay (no snapshot withdrawing them, and the journal remembers them).
    /// </summary>
    [Fact]
    public void Once_shutting_down_ending_streams_remove_nothing()
    {
        using var registry = new WorkloadRegistry(TimeProvider.System);
        var reviews = registry.Register(TestProxy.NodeFor("reviews-v1"));
        var gone = registry.Register(TestProxy.NodeFor("reviews-v2"));
        Assert.True(registry.Remove(gone));
        var version = registry.Version;
        var changes = 0;
        registry.Changed += () => changes++;

        registry.BeginShutdown();

        Assert.False(registry.Remove(reviews));
        Assert.Same(reviews.Instance, registry.Find("reviews-v1"));
        Assert.Equal(version, registry.Version);
        Assert.Equal(0, changes);
    }
}
