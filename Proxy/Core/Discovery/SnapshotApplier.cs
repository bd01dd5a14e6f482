using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Core.Yarp;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Applies a pushed snapshot: translate, load the YARP clusters and wait until YARP applied
/// them, bind the model to YARP's cluster state, then publish it with one reference swap.
/// On any failure the last good model keeps serving and the result carries the NACK reason.
/// </summary>
internal sealed partial class SnapshotApplier
{
    private static readonly TimeSpan YarpApplyTimeout = TimeSpan.FromSeconds(10);

    private readonly SnapshotTranslator _translator;
    private readonly MeshProxyConfigProvider _configProvider;
    private readonly YarpConfigApplyListener _applyListener;
    private readonly IProxyStateLookup _proxyState;
    private readonly RoutingState _routing;
    private readonly SnapshotState _status;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ISnapshotGate[] _snapshotGates;

    public SnapshotApplier(
        SnapshotTranslator translator,
        MeshProxyConfigProvider configProvider,
        YarpConfigApplyListener applyListener,
        IProxyStateLookup proxyState,
        RoutingState routing,
        SnapshotState status,
        IEnumerable<ISnapshotGate> snapshotGates,
        ILogger<SnapshotApplier> logger)
    {
        _snapshotGates = [.. snapshotGates];
        _translator = translator;
        _configProvider = configProvider;
        _applyListener = applyListener;
        _proxyState = proxyState;
        _routing = routing;
        _status = status;
        _logger = logger;
    }

    public async Task<ApplyResult> ApplyAsync(ProxySnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ApplyCoreAsync(snapshot, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect must not cost the stream: report it and keep the last good snapshot.
            return Reject(snapshot.Version, $"the proxy failed to apply the snapshot: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ApplyResult> ApplyCoreAsync(ProxySnapshot snapshot, CancellationToken cancellationToken)
    {
        var version = snapshot.Version;
        if (_status.Applied is { } applied && applied.Snapshot.Version == version && !string.IsNullOrEmpty(version))
        {
            // Same version means same content (e.g. a resync after reconnecting).
            return ApplyResult.Ack(version);
        }

        var result = _translator.Translate(snapshot);
        if (!result.Succeeded)
        {
            return Reject(version, result.Errors.ToNackReason());
        }

        // Features get ready for the snapshot (e.g. a mesh with a CA is served only with a workload certificate in hand).
        foreach (var gate in _snapshotGates)
        {
            if (await gate.PrepareAsync(snapshot, cancellationToken) is { } gateError)
            {
                return Reject(version, gateError);
            }
        }

        var config = _configProvider.Update(result.YarpClusters);
        Exception? yarpError;
        try
        {
            yarpError = await _applyListener.WhenProcessed(config).WaitAsync(YarpApplyTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            yarpError = new TimeoutException($"YARP did not apply the configuration within {YarpApplyTimeout.TotalSeconds:0} s.");
        }
        finally
        {
            _applyListener.Forget(config);
        }

        if (yarpError is not null)
        {
            return Reject(version, $"the proxy could not load the clusters: {Flatten(yarpError)}");
        }

        var model = result.Model!;
        foreach (var cluster in model.Clusters.Values)
        {
            if (cluster.IsPassthrough || !ClusterConventions.IsHttpRoutable(cluster.Protocol))
            {
                continue;
            }

            if (!_proxyState.TryGetCluster(cluster.Name, out var state))
            {
                return Reject(version, $"cluster '{cluster.Name}' is missing from the loaded proxy configuration");
            }

            cluster.Bind(state);
        }

        _routing.Publish(model);
        _status.RecordApplied(snapshot);
        Log.Applied(_logger, version, model.Clusters.Count, model.VirtualHosts.Count);
        return ApplyResult.Ack(version);
    }

    private ApplyResult Reject(string version, string error)
    {
        _status.RecordRejected(version, error);
        Log.Rejected(_logger, version, error);
        return ApplyResult.Nack(version, error);
    }

    private static string Flatten(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(e => e.Message));
                break;
            }

            messages.Add(current.Message);
        }

        return string.Join(" ", messages);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Applied snapshot {Version}: {Clusters} clusters, {VirtualHosts} virtual hosts.")]
        public static partial void Applied(ILogger logger, string version, int clusters, int virtualHosts);

        [LoggerMessage(2, LogLevel.Warning, "Rejected snapshot {Version}; the previous configuration keeps serving. {Error}")]
        public static partial void Rejected(ILogger logger, string version, string error);
    }
}
