using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.ControlPlane.Tests.Registry;

public sealed class RegistryJournalTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mesh-journal-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task The_registry_as_it_was_before_shutdown_is_read_back()
    {
        using var registry = new WorkloadRegistry(TimeProvider.System);
        var lifetime = new StoppableLifetime();
        using var journal = new RegistryJournal(registry, _dataDirectory, lifetime, NullLogger<RegistryJournal>.Instance);
        await journal.StartAsync(CancellationToken.None);

        var productpage = registry.Register(TestProxy.NodeFor("productpage-v1"));
        var reviews = registry.Register(TestProxy.NodeFor("reviews-v1"));
        await Eventually.GetAsync(Read, nodes => nodes.Count == 2, because: "both registrations are journaled");

        // Shutdown: the closing streams deregister every proxy; the journal keeps them.
        lifetime.Stop();
        registry.Remove(productpage);
        registry.Remove(reviews);
        await Task.Delay(500);
        await journal.StopAsync(CancellationToken.None);

        var remembered = Read();
        Assert.Equal(["productpage-v1", "reviews-v1"], remembered.Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal(TestProxy.NodeFor("reviews-v1"), remembered.Single(n => n.Id == "reviews-v1"));
    }

    [Fact]
    public void A_corrupt_journal_means_an_empty_registry()
    {
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "registry"));
        File.WriteAllBytes(Path.Combine(_dataDirectory, "registry", "workloads.pb"), [0x7f, 0xff, 0x01]);

        Assert.Empty(Read());
    }

    private IReadOnlyCollection<Contracts.Snapshots.Node> Read() => RegistryJournal.Read(_dataDirectory, NullLogger.Instance);

    private sealed class StoppableLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stop();

        public void Stop() => _stopping.Cancel();
    }
}
