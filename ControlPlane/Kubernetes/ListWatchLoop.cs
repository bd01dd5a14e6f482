using System.Net;
using k8s.Autorest;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The informer loop every watcher of the Kubernetes mode runs: list, then watch from the list's
/// resource version, resuming each watch from the last version seen; a 410 Gone (the version was
/// compacted away) or the periodic resync lists again from scratch, so nothing missed survives a
/// resync period. Failures back off exponentially (capped at 30 s) and never end the loop. What is
/// listed and watched (custom resources, ConfigMaps, EndpointSlices, Pods) is the caller's.
/// </summary>
internal sealed class ListWatchLoop(string what, KubernetesOptions options, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes after the first list (successful, or the resource found missing).</summary>
    public Task Listed => _listed.Task;

    /// <param name="list">Lists everything (paged as the caller likes) and returns the list's resource version.</param>
    /// <param name="watch">Watches from a resource version until the server ends the watch: the last version seen, and whether it expired (410).</param>
    /// <param name="missing">The API server does not serve the resource (404, a CRD not installed): treat it as empty.</param>
    public async Task RunAsync(
        Func<CancellationToken, Task<string>> list,
        Func<string, CancellationToken, Task<(string? ResourceVersion, bool Expired)>> watch,
        Action missing,
        CancellationToken stopping)
    {
        var delay = options.RetryDelay;
        string? resourceVersion = null;
        var nextResync = DateTimeOffset.MinValue;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null || time.GetUtcNow() >= nextResync)
                {
                    resourceVersion = await list(stopping);
                    nextResync = time.GetUtcNow() + options.ResyncPeriod;
                    _listed.TrySetResult();
                }

                using var resync = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                resync.CancelAfter(nextResync - time.GetUtcNow() is { Ticks: > 0 } left ? left : TimeSpan.Zero);
                var (version, expired) = await watch(resourceVersion, resync.Token);
                resourceVersion = expired ? null : version;
                if (expired)
                {
                    KubernetesLog.WatchExpired(logger, what, version);
                }

                delay = options.RetryDelay;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // The resync deadline ended the watch: the loop lists again.
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
            {
                KubernetesLog.WatchExpired(logger, what, resourceVersion);
                resourceVersion = null;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                KubernetesLog.KindMissing(logger, what, MaxRetryDelay);
                missing();
                _listed.TrySetResult();
                resourceVersion = null;
                await Pause(MaxRetryDelay, stopping);
            }
            catch (Exception ex)
            {
                KubernetesLog.WatchFailed(logger, what, delay, ex);
                await Pause(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private Task Pause(TimeSpan delay, CancellationToken cancellationToken) =>
        Task.Delay(delay, time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
}
