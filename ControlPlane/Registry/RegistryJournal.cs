using Google.Protobuf;
using Mesh.Contracts.Snapshots;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// Keeps the registered workloads in <c>&lt;data&gt;/registry/workloads.pb</c> so a restarted
/// control plane remembers them. Without it, the first proxy to reconnect gets a snapshot without
/// the endpoints of every proxy that has not reconnected yet, and its calls fail with 503 until
/// they have — Istio avoids the same gap by keeping auto-registered WorkloadEntries for a grace
/// period after their proxy disconnects.
/// </summary>
/// <remarks>
/// Writes are coalesced (at most one per <see cref="WriteInterval"/>) and atomic (temporary file
/// and rename). The streams that close during shutdown do not deregister their proxies
/// (<see cref="WorkloadRegistry.BeginShutdown"/>, called before any stream is ended): those
/// proxies are exactly the ones to remember, so stopping writes the registry once more whatever
/// the interval — a control plane stopped within <see cref="WriteInterval"/> of a registration
/// (restarted quickly, twice in a row) otherwise left a journal without the proxies that had
/// connected since its last write, and the next start pushed snapshots without their services.
/// </remarks>
internal sealed partial class RegistryJournal : BackgroundService
{
    private const string FileName = "workloads.pb";
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(200);

    private readonly WorkloadRegistry _registry;
    private readonly string? _path;
    private readonly TimeProvider _time;
    private readonly ILogger<RegistryJournal> _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);

    // The loop and StopAsync's last write: a stop with a cancelled token does not wait for the loop.
    private readonly Lock _writing = new();
    private long _writtenVersion = -1;

    /// <param name="dataDirectory">Where the journal lives; null turns it off.</param>
    public RegistryJournal(WorkloadRegistry registry, string? dataDirectory, TimeProvider time, ILogger<RegistryJournal> logger)
    {
        _time = time;
        _registry = registry;
        _path = dataDirectory is null ? null : Path.Combine(dataDirectory, "registry", FileName);
        _logger = logger;
        _registry.Changed += OnChanged;
    }

    /// <summary>Reads the journal of a previous run; a missing or unreadable file means nothing to remember.</summary>
    public static IReadOnlyCollection<Node> Read(string dataDirectory, ILogger logger)
    {
        var path = Path.Combine(dataDirectory, "registry", FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        var nodes = new List<Node>();
        try
        {
            using var stream = File.OpenRead(path);
            while (stream.Position < stream.Length)
            {
                nodes.Add(Node.Parser.ParseDelimitedFrom(stream));
            }
        }
        catch (Exception e) when (e is IOException or InvalidProtocolBufferException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, path, e.Message);
            return [];
        }

        return nodes;
    }

    public override void Dispose()
    {
        _registry.Changed -= OnChanged;
        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_path is null)
        {
            return;
        }

        Signal();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _changed.WaitAsync(stoppingToken).ConfigureAwait(false);
                Write();
                await Task.Delay(WriteInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the write loop, then writes what is registered now (the registry is frozen by then).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_path is not null)
        {
            Write();
        }
    }

    /// <summary>Whether a registry change waits to be written (tests: the journal has not seen it yet).</summary>
    internal bool HasPendingWrite => _changed.CurrentCount > 0;

    private void OnChanged() => Signal();

    private void Signal()
    {
        // A full semaphore already has a write pending, which will see this change too.
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Write()
    {
        lock (_writing)
        {
            WriteCurrent();
        }
    }

    private void WriteCurrent()
    {
        ArgumentNullException.ThrowIfNull(_path);
        var current = _registry.Current;
        if (current.Version == _writtenVersion)
        {
            return;
        }

        var temporary = _path + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using (var stream = File.Create(temporary))
            {
                foreach (var workload in current.Workloads)
                {
                    workload.Node.WriteDelimitedTo(stream);
                }
            }

            File.Move(temporary, _path, overwrite: true);
            _writtenVersion = current.Version;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _path, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry journal {Path} is unreadable ({Reason}); starting with an empty registry")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the registry journal {Path}: {Reason}")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);
}
