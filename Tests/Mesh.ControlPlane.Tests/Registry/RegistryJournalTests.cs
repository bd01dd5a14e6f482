using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.ControlPlane.Tests.Registry;

public sealed class RegistryJournalTests : IDisposable
{
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(200);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mesh-journal-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task The_registry_as_it_was_before_shutdown_is_read_back()
    {
        var clock = new TestClock();
        using var registry = new WorkloadRegistry(clock);
        using var journal = new RegistryJournal(registry, _dataDirectory, clock, NullLogger<RegistryJournal>.Instance);
        await journal.StartAsync(CancellationToken.None);

        var productpage = registry.Register(TestProxy.NodeFor("productpage-v1"));
        var reviews = registry.Register(TestProxy.NodeFor("reviews-v1"));
        await NextWriteIntervalAsync(clock);
        await Poll.ForAsync("both registrations journaled", Read, nodes => nodes.Count == 2);

        // Shutdown: the closing streams try to deregister every proxy; the journal keeps them.
        registry.BeginShutdown();
        Assert.False(registry.Remove(productpage));
        Assert.False(registry.Remove(reviews));
        Assert.False(journal.HasPendingWrite);
        await journal.StopAsync(CancellationToken.None);

        var remembered = Read();
        Assert.Equal(["productpage-v1", "reviews-v1"], remembered.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal(TestProxy.NodeFor("reviews-v1"), remembered.Single(n => n.Id == "reviews-v1"));
    }

    /// <summary>
    /// A control plane stopped within the write interval of a registration (restarted twice in
    /// quick succession) must still remember that proxy: its next start would otherwise push the
    /// proxies that reconnect first snapshots without its services (issue 22's five-restart test).
    /// </summary>
    [Fact]
    public async Task A_registration_within_the_write_interval_is_written_at_shutdown()
    {
        var clock = new TestClock();
        using var registry = new WorkloadRegistry(clock);
        using var journal = new RegistryJournal(registry, _dataDirectory, clock, NullLogger<RegistryJournal>.Instance);
        await journal.StartAsync(CancellationToken.None);
        await clock.WaitForTimerAsync("the journal's write interval after its first write", WriteInterval);

        registry.Register(TestProxy.NodeFor("reviews-v1"));
        Assert.Empty(Read());

        // The interval has not passed (the clock has not moved): only stopping writes it.
        registry.BeginShutdown();
        await journal.StopAsync(CancellationToken.None);

        Assert.Equal(["reviews-v1"], Read().Select(n => n.Id));
    }

    /// <summary>The journal writes at most once per interval: let the pending interval pass, so the next change is written.</summary>
    private static async Task NextWriteIntervalAsync(TestClock clock)
    {
        await clock.WaitForTimerAsync("the journal's write interval", WriteInterval);
        clock.Advance(WriteInterval);
    }

    [Fact]
    public void A_corrupt_journal_means_an_empty_registry()
    {
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "registry"));
        File.WriteAllBytes(Path.Combine(_dataDirectory, "registry", "workloads.pb"), [0x7f, 0xff, 0x01]);

        Assert.Empty(Read());
    }

    private IReadOnlyCollection<Contracts.Snapshots.Node> Read() => RegistryJournal.Read(_dataDirectory, NullLogger.Instance);
}
