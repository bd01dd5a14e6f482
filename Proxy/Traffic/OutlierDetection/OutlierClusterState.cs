using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>Outlier detection state of one cluster: per-endpoint state and the sweep timer.</summary>
internal sealed class OutlierClusterState : IDisposable
{
    private readonly ConcurrentDictionary<DestinationState, HostOutlierState> _hosts = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _timerGate = new();
    private ITimer? _sweep;
    private TimeSpan _interval;
    private volatile OutlierDetectionModel? _model;
    private volatile ClusterState? _cluster;
    private Action<OutlierClusterState>? _onSweep;

    /// <summary>The latest model seen for the cluster (sweeps use it).</summary>
    public OutlierDetectionModel? Model => _model;

    /// <summary>The YARP cluster whose available endpoints ejections change.</summary>
    public ClusterState? Cluster => _cluster;

    public ICollection<HostOutlierState> Hosts => _hosts.Values;

    public HostOutlierState Host(DestinationState destination)
        => _hosts.GetOrAdd(destination, static d => new HostOutlierState((DestinationState)d));

    /// <summary>Remembers the current model and cluster and keeps a sweep timer running at the model's interval.</summary>
    public void Track(OutlierDetectionModel model, ClusterState cluster, TimeProvider time, Action<OutlierClusterState> sweep)
    {
        _model = model;
        _cluster = cluster;
        _onSweep = sweep;
        if (_sweep is not null && _interval == model.Interval)
        {
            return;
        }

        lock (_timerGate)
        {
            if (_sweep is null)
            {
                _interval = model.Interval;
                _sweep = time.CreateTimer(static s => ((OutlierClusterState)s!).RunSweep(), this, model.Interval, model.Interval);
            }
            else if (_interval != model.Interval)
            {
                _interval = model.Interval;
                _sweep.Change(model.Interval, model.Interval);
            }
        }
    }

    private void RunSweep() => _onSweep?.Invoke(this);

    /// <summary>Drops state of endpoints YARP no longer has.</summary>
    public void ForgetRemovedHosts(ClusterState cluster)
    {
        foreach (var destination in _hosts.Keys)
        {
            if (!cluster.Destinations.TryGetValue(destination.DestinationId, out var current) || !ReferenceEquals(current, destination))
            {
                _hosts.TryRemove(destination, out _);
            }
        }
    }

    public void Dispose()
    {
        lock (_timerGate)
        {
            _sweep?.Dispose();
            _sweep = null;
        }
    }
}
