using k8s;
using k8s.Models;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Registry;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The registry's source on Kubernetes: watches EndpointSlices and Pods across all namespaces and,
/// debounced, replaces the registry's workloads with what they say (<see cref="ClusterWorkloads"/>).
/// Every replica watches the same API server, so every replica serves the same endpoints.
/// </summary>
internal sealed class KubernetesWorkloadSource : IHostedService, IAsyncDisposable
{
    private readonly WorkloadRegistry _registry;
    private readonly KubernetesObjectWatcher<V1EndpointSlice> _slices;
    private readonly KubernetesObjectWatcher<V1Pod> _pods;
    private readonly ChangeDebouncer _debouncer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public KubernetesWorkloadSource(WorkloadRegistry registry, IKubernetes client, IOptions<KubernetesOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _registry = registry;
        var logger = loggers.CreateLogger<KubernetesWorkloadSource>();
        _slices = new KubernetesObjectWatcher<V1EndpointSlice>(
            "EndpointSlice",
            async (next, limit, ct) =>
            {
                var page = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: next, limit: limit, cancellationToken: ct);
                return (page.Items, page.Metadata?.ResourceVersion ?? "", page.Metadata?.ContinueProperty);
            },
            (version, timeout, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
            options.Value, time, logger);
        _pods = new KubernetesObjectWatcher<V1Pod>(
            "Pod",
            async (next, limit, ct) =>
            {
                var page = await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: next, limit: limit, cancellationToken: ct);
                return (page.Items, page.Metadata?.ResourceVersion ?? "", page.Metadata?.ContinueProperty);
            },
            (version, timeout, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(
                allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: timeout, onError: onError, cancellationToken: ct),
            options.Value, time, logger);
        var debounce = options.Value.Debounce;
        _debouncer = new ChangeDebouncer(
            new ChangeDebouncerOptions(debounce, debounce * 10) { TimeProvider = time },
            _ => { Rebuild(); return Task.CompletedTask; },
            ex => KubernetesLog.ReconcileFailed(logger, ex));
    }

    /// <summary>Completes once both kinds were listed and the registry holds what they said.</summary>
    public Task Listed => _listed.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _slices.Changed += _debouncer.Notify;
        _pods.Changed += _debouncer.Notify;
        _debouncer.Start();
        _loops.Add(Task.Run(() => _slices.RunAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => _pods.RunAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(async () =>
        {
            await Task.WhenAll(_slices.Listed, _pods.Listed).WaitAsync(_stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            Rebuild();
            _listed.TrySetResult();
        }, CancellationToken.None));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _slices.Changed -= _debouncer.Notify;
        _pods.Changed -= _debouncer.Notify;
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await _debouncer.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Dispose();
        await _debouncer.DisposeAsync();
    }

    private void Rebuild() => _registry.ReplaceSourced(ClusterWorkloads.Build(_pods.Current, _slices.Current));
}
