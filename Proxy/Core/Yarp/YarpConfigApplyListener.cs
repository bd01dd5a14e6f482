using System.Collections.Concurrent;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// Lets the snapshot applier wait until YARP has applied (or rejected) a config generation,
/// so the routing model is published only once every cluster it names exists in YARP.
/// </summary>
internal sealed class YarpConfigApplyListener : IConfigChangeListener
{
    private readonly ConcurrentDictionary<MeshProxyConfig, TaskCompletionSource<Exception?>> _waiters = new();

    /// <summary>Completes with null when applied, or with the exception YARP rejected it with.</summary>
    public Task<Exception?> WhenProcessed(MeshProxyConfig config)
        => _waiters.GetOrAdd(config, static _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs) => Complete(proxyConfigs, null);

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => Complete(proxyConfigs, exception);

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception)
    {
    }

    private void Complete(IReadOnlyList<IProxyConfig> proxyConfigs, Exception? exception)
    {
        foreach (var config in proxyConfigs)
        {
            if (config is MeshProxyConfig meshConfig)
            {
                _waiters.GetOrAdd(meshConfig, static _ => new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(exception);

                // Older generations will never be reported again; release their waiters.
                foreach (var pending in _waiters.Keys)
                {
                    if (pending.Generation < meshConfig.Generation && _waiters.TryRemove(pending, out var stale))
                    {
                        stale.TrySetResult(new InvalidOperationException($"YARP configuration generation {pending.Generation} was superseded before it was applied."));
                    }
                }
            }
        }
    }

    /// <summary>Forgets a generation once its waiter has been observed.</summary>
    public void Forget(MeshProxyConfig config) => _waiters.TryRemove(config, out _);
}
