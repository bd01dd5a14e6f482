using Mesh.Config.Model;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The configuration source of the Kubernetes mode, in place of the watched directory: loads the
/// persisted API objects, keeps one <see cref="CustomResourceWatcher"/> per mesh kind running —
/// Istio's and the Gateway API's (whose CRDs users install; a kind without its CRD is retried), and
/// Istio's mesh config ConfigMap —
/// and reconciles (debounced) whenever a watch reports a change. The Gateway API objects' status
/// (<see cref="GatewayApiStatusWriter"/>) is written after every change of the configuration or of
/// the registry (a Gateway turns Programmed when its proxy connects). The control plane turns ready once
/// every kind (and the registry's EndpointSlices and Pods) has been listed and reconciled — not before, so proxies never get an empty mesh
/// from a control plane that has not read its config yet. Every replica reconciles; only the leader's
/// writers write status, and a replica that becomes leader reconciles again to catch up.
/// </summary>
internal sealed class KubernetesConfigSource : IHostedService, IAsyncDisposable
{
    private readonly ConfigStore _store;
    private readonly CustomResourceCache _cache;
    private readonly CustomResourceReconciler _reconciler;
    private readonly ControlPlaneReadiness _readiness;
    private readonly ILogger<KubernetesConfigSource> _logger;
    private readonly List<CustomResourceWatcher> _watchers;
    private readonly ChangeDebouncer _debouncer;
    private readonly ChangeDebouncer _gatewayStatus;
    private readonly Registry.WorkloadRegistry _registry;
    private readonly KubernetesWorkloadSource _workloads;
    private readonly KubernetesLeaderElection _leadership;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    public KubernetesConfigSource(
        ConfigStore store, CustomResourceCache cache, CustomResourceReconciler reconciler, ControlPlaneReadiness readiness,
        k8s.IKubernetes client, IOptions<KubernetesOptions> options, TimeProvider time, ILoggerFactory loggers,
        GatewayApiStatusWriter gatewayStatus, Registry.WorkloadRegistry registry, KubernetesWorkloadSource workloads, KubernetesLeaderElection leadership)
    {
        _leadership = leadership;
        _workloads = workloads;
        _registry = registry;
        _store = store;
        _cache = cache;
        _reconciler = reconciler;
        _readiness = readiness;
        _logger = loggers.CreateLogger<KubernetesConfigSource>();
        var watcherLogger = loggers.CreateLogger<CustomResourceWatcher>();
        _watchers = [.. WatchedKinds.Select(kind => new CustomResourceWatcher(client, kind, cache, options.Value, time, watcherLogger))];
        var debounce = options.Value.Debounce;
        _debouncer = new ChangeDebouncer(
            new ChangeDebouncerOptions(debounce, debounce * 10) { TimeProvider = time },
            reconciler.ReconcileAsync,
            ex => KubernetesLog.ReconcileFailed(_logger, ex));
        _gatewayStatus = new ChangeDebouncer(
            new ChangeDebouncerOptions(debounce, debounce * 10) { TimeProvider = time },
            gatewayStatus.WriteAsync,
            ex => KubernetesLog.ReconcileFailed(_logger, ex));
    }

    /// <summary>The kinds watched: Istio's, the Gateway API's, and Istio's mesh config (ConfigMap <c>istio</c>: extension providers).</summary>
    public static IReadOnlyList<ConfigKind> WatchedKinds { get; } = [.. ConfigKinds.Istio, .. ConfigKinds.GatewayApi, ConfigKinds.MeshConfigMap];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.LoadPersistedAsync(cancellationToken);
        _cache.Changed += _debouncer.Notify;
        _store.Changed += _gatewayStatus.Notify;
        _registry.Changed += _gatewayStatus.Notify;
        _leadership.BecameLeader += OnBecameLeader;
        _gatewayStatus.Start();
        foreach (var watcher in _watchers)
        {
            _loops.Add(Task.Run(() => watcher.RunAsync(_stopping.Token), CancellationToken.None));
        }

        _loops.Add(Task.Run(InitialSyncAsync, CancellationToken.None));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _cache.Changed -= _debouncer.Notify;
        _store.Changed -= _gatewayStatus.Notify;
        _registry.Changed -= _gatewayStatus.Notify;
        _leadership.BecameLeader -= OnBecameLeader;
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await _debouncer.DisposeAsync();
        await _gatewayStatus.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        await _debouncer.DisposeAsync();
        await _gatewayStatus.DisposeAsync();
    }

    // A new leader writes every status its predecessor left unwritten (or never wrote).
    private void OnBecameLeader()
    {
        _debouncer.Notify();
        _gatewayStatus.Notify();
    }

    private async Task InitialSyncAsync()
    {
        try
        {
            // Every kind listed, and the registry's EndpointSlices and Pods: no proxy gets a mesh without its endpoints.
            await Task.WhenAll([.. _watchers.Select(w => w.Listed), _workloads.Listed]).WaitAsync(_stopping.Token);
            await _reconciler.ReconcileAsync(_stopping.Token);
            _debouncer.Start();
            _readiness.MarkConfigLoaded();
            KubernetesLog.InitialSyncDone(_logger, _cache.Snapshot().Count);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Ready like the file source after a failed first load: status and logs tell why; the
            // next watch event (or resync) reconciles again.
            KubernetesLog.ReconcileFailed(_logger, ex);
            _debouncer.Start();
            _debouncer.Notify();
            _readiness.MarkConfigLoaded();
        }
    }
}
