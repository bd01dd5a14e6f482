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
