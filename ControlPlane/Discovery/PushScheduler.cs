using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Pushes snapshots when the model or the registry changes: changes are debounced (quiet period,
/// bounded max delay), then every connected proxy is offered the build for its shape; a proxy
/// whose snapshot version did not change gets nothing. Nothing at all is pushed until a
/// configuration is accepted or restored: a proxy that connects before then waits (not ready)
/// rather than getting an empty snapshot, and the first accepted change reaches it.
/// </summary>
internal sealed partial class PushScheduler : IHostedService, IAsyncDisposable
{
    private readonly ConfigStore _store;
    private readonly WorkloadRegistry _registry;
    private readonly ConnectedProxies _proxies;
    private readonly SnapshotCache _cache;
    private readonly MeshSettingsState _settings;
    private readonly ILogger<PushScheduler> _logger;
    private readonly ChangeDebouncer _debouncer;
    private readonly MemoryReclaimer _reclaimer;
    private readonly Action<ProxyConnection, Exception> _buildFailed;
    private RegistrySnapshot? _pushedRegistry;
    private long _rounds;

    public PushScheduler(
        ConfigStore store,
        WorkloadRegistry registry,
        ConnectedProxies proxies,
        SnapshotCache cache,
        MeshSettingsState settings,
        MemoryReclaimer reclaimer,
        IOptions<ControlPlaneOptions> options,
        TimeProvider time,
        ILogger<PushScheduler> logger)
    {
        _store = store;
        _reclaimer = reclaimer;
        _registry = registry;
        _proxies = proxies;
        _cache = cache;
        _settings = settings;
        _logger = logger;
        _buildFailed = (connection, ex) => LogBuildFailed(_logger, connection.Id, ex);
        _debouncer = new ChangeDebouncer(
            new ChangeDebouncerOptions(options.Value.PushDebounce, options.Value.PushMaxDelay) { TimeProvider = time },
            _ => PushAllAsync(),
            ex => LogPushFailed(_logger, ex));
    }

    /// <summary>Completed push rounds, including those that pushed nothing because no configuration serves yet (diagnostics and tests).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>The registry version the latest push round saw (diagnostics and tests).</summary>
    public long? LastRoundRegistryVersion => Volatile.Read(ref _pushedRegistry)?.Version;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Changed += _debouncer.Notify;
        _registry.Changed += _debouncer.Notify;
        _settings.Changed += _debouncer.Notify;
        _debouncer.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Changed -= _debouncer.Notify;
        _registry.Changed -= _debouncer.Notify;
        _settings.Changed -= _debouncer.Notify;
        await _debouncer.DisposeAsync();
    }

    public ValueTask DisposeAsync() => _debouncer.DisposeAsync();

    /// <summary>
    /// The first snapshot of a new stream, sent at once (no debounce). It is built from the
    /// registry of the last push round rather than the live one: joining proxies of a shape then
    /// share one build, and the round that follows the join (at most the max delay later) brings
    /// the newest endpoints. Not when the registry has moved on since that round by more than
    /// this proxy's own registration — a connection storm, where workloads register by
    /// connecting: the last round's registry then lacks most of what the control plane already
    /// knows (at the start of a storm, everything: a ~1 KB snapshot without any other service),
    /// and the round those registrations scheduled sends the current state anyway. Pushing the
    /// stale one would cost a write and its ACK, and make the proxy drop what it holds (a
    /// reconnecting proxy) or serve an empty mesh until then.
    /// </summary>
    public void PushInitial(ProxyConnection connection)
    {
        if (!_store.Current.IsAccepted)
        {
            return;
        }

        var pushed = Volatile.Read(ref _pushedRegistry);
        if (pushed is not null && _registry.Version - pushed.Version > 1)
        {
            return;
        }

        var registry = pushed ?? _registry.Current;
        PushRound.OfferOne(_cache.For(new SnapshotInputs(_store.Current.Model, registry, _settings.Current)), connection, _buildFailed);
    }

    private Task PushAllAsync()
    {
        var registry = _registry.Current;
        Volatile.Write(ref _pushedRegistry, registry);
        var current = _store.Current;
        if (!current.IsAccepted)
        {
            LogNothingAccepted(_logger, _proxies.Count);
            Interlocked.Increment(ref _rounds); // a round that pushed nothing
            return Task.CompletedTask;
        }

        var builds = _cache.For(new SnapshotInputs(current.Model, registry, _settings.Current));
        PushRound.Offer(builds, [.. _proxies.All], _buildFailed);

        Interlocked.Increment(ref _rounds);
        _reclaimer.Pushed(current.SourceBytes);
        LogPushRound(_logger, builds.Inputs.Model.Generation, registry.Version, _proxies.Count);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Push round: model generation {Generation}, registry version {RegistryVersion}, {Proxies} proxies")]
    private static partial void LogPushRound(ILogger logger, long generation, long registryVersion, int proxies);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No configuration accepted yet: nothing pushed to {Proxies} connected proxies")]
    private static partial void LogNothingAccepted(ILogger logger, int proxies);

    [LoggerMessage(Level = LogLevel.Error, Message = "Building the snapshot of proxy {ProxyId} failed; it keeps its previous snapshot")]
    private static partial void LogBuildFailed(ILogger logger, string proxyId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "A snapshot push round failed")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
