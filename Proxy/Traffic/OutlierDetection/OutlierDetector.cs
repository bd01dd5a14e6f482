using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>
/// Envoy's outlier detection for clusters with a DestinationRule <c>outlierDetection</c>. Upstream
/// statuses are counted when response headers arrive (<see cref="ReportResponse"/>, before the
/// caller sees them) and attempts that failed without a response through YARP's passive health
/// check hook. A streak reaching its threshold ejects the endpoint — unless that would exceed
/// <c>maxEjectionPercent</c> — for <c>baseEjectionTime</c> × times ejected in a row; ejected
/// endpoints return at the first sweep (every <c>interval</c>) after that time, and the multiplier
/// decays at sweeps while the endpoint stays healthy.
/// </summary>
internal sealed partial class OutlierDetector : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "Mesh.OutlierDetection";

    private readonly IClusterDestinationsUpdater _destinations;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<OutlierClusterState> _sweep;

    public OutlierDetector(IClusterDestinationsUpdater destinations, TimeProvider time, ILogger<OutlierDetector> logger)
    {
        _destinations = destinations;
        _time = time;
        _logger = logger;
        _sweep = Sweep;
    }

    public string Name => PolicyName;

    /// <summary>YARP's hook after each attempt: only failures without a response count here.</summary>
    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var request = context.Features.Get<RoutingResult>();
        if (request?.Cluster is not { } upstream
            || upstream.FeatureModels.Get<ClusterOutlierDetection>() is not { Model.Enabled: true } detection
            || context.Features.Get<IForwarderErrorFeature>() is not { } error)
        {
            return;
        }

        var status = error.Error switch
        {
            ForwarderError.Request or ForwarderError.RequestBodyDestination => 503,
            ForwarderError.RequestTimedOut => 504,

            // Cancelled by the proxy's own per-try or route timer (not by the caller): a timeout.
            ForwarderError.RequestCanceled when !request.CallerAborted.IsCancellationRequested => 504,
            _ => 0,
        };
        if (status != 0)
        {
            ReportResponse(upstream, detection, destination, status);
        }
    }

    /// <summary>Counts an upstream response status (gRPC statuses already mapped to HTTP).</summary>
    public void ReportResponse(UpstreamCluster cluster, ClusterOutlierDetection detection, DestinationState destination, int status)
    {
        var model = detection.Model;
        var state = detection.State;
        state.Track(model, cluster.State, _time, _sweep);
        var host = state.Host(destination);
        var (fiveXx, gateway) = host.Record(status);
        var tripped = (model.Consecutive5xxErrors > 0 && fiveXx >= model.Consecutive5xxErrors)
            || (model.ConsecutiveGatewayErrors > 0 && gateway >= model.ConsecutiveGatewayErrors);
        if (tripped)
        {
            // Envoy resets the streak whether or not the ejection happens.
            host.ResetStreaks();
            TryEject(state, host, model, cluster.State);
        }
    }

    private void TryEject(OutlierClusterState state, HostOutlierState host, OutlierDetectionModel model, ClusterState cluster)
    {
        lock (host.Gate)
        {
            if (host.Ejected)
            {
                return;
            }

            var ejected = 0;
            foreach (var other in state.Hosts)
            {
                if (other.Ejected)
                {
                    ejected++;
                }
            }

            var total = Math.Max(1, cluster.Destinations.Count);
            if (100.0 * (ejected + 1) / total > model.MaxEjectionPercent)
            {
                Log.EjectionSkipped(_logger, host.Destination.DestinationId, cluster.ClusterId, model.MaxEjectionPercent);
                return;
            }

            host.Ejected = true;
            host.Ejections++;
            host.EjectedAt = _time.GetTimestamp();
            host.Destination.Health.Passive = DestinationHealth.Unhealthy;
            Log.Ejected(_logger, host.Destination.DestinationId, cluster.ClusterId, model.EjectionTime(host.Ejections));
        }

        // Synchronously, so the very next request already avoids the endpoint.
        _destinations.UpdateAvailableDestinations(cluster);
    }

    private void Sweep(OutlierClusterState state)
    {
        if (state.Model is not { } model || state.Cluster is not { } cluster)
        {
            return;
        }

        var changed = false;
        foreach (var host in state.Hosts)
        {
            lock (host.Gate)
            {
                var now = _time.GetTimestamp();
                if (host.Ejected)
                {
                    if (_time.GetElapsedTime(host.EjectedAt, now) >= model.EjectionTime(host.Ejections))
                    {
                        host.Ejected = false;
                        host.UnejectedAt = now;
                        host.ResetStreaks();
                        host.Destination.Health.Passive = DestinationHealth.Unknown;
                        changed = true;
                        Log.Unejected(_logger, host.Destination.DestinationId, cluster.ClusterId);
                    }
                }
                else if (host.Ejections > 0 && host.UnejectedAt != 0 && _time.GetElapsedTime(host.UnejectedAt, now) >= model.EjectionTime(host.Ejections))
                {
                    // Healthy for a whole ejection time: the next ejection will be shorter again.
                    host.Ejections--;
                }
            }
        }

        state.ForgetRemovedHosts(cluster);
        if (changed)
        {
            _destinations.UpdateAvailableDestinations(cluster);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Outlier detection ejected endpoint {Endpoint} of cluster {Cluster} for {Duration}.")]
        public static partial void Ejected(ILogger logger, string endpoint, string cluster, TimeSpan duration);

        [LoggerMessage(2, LogLevel.Information, "Outlier detection returned endpoint {Endpoint} of cluster {Cluster} to service.")]
        public static partial void Unejected(ILogger logger, string endpoint, string cluster);

        [LoggerMessage(3, LogLevel.Debug, "Outlier detection did not eject endpoint {Endpoint} of cluster {Cluster}: at most {MaxEjectionPercent}% of endpoints may be ejected.")]
        public static partial void EjectionSkipped(ILogger logger, string endpoint, string cluster, int maxEjectionPercent);
    }
}
