using Mesh.Proxy.L4.Model;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.L4.Upstream;

/// <summary>
/// Envoy's outlier detection for TCP clusters: a connect failure or timeout counts as a 5xx and a
/// gateway error, a connection made resets the streak. A streak reaching the threshold ejects the
/// endpoint for baseEjectionTime × times ejected, unless more than maxEjectionPercent would be out
/// (one endpoint may always be ejected, as Envoy allows); an endpoint healthy for a whole ejection
/// time is ejected for less the next time. Ejections end lazily: the first pick after their time
/// sees the endpoint back (Envoy returns it at the next interval sweep).
/// </summary>
internal sealed partial class L4OutlierDetector(TimeProvider time, ILogger<L4OutlierDetector> logger)
{
    public static bool IsEjected(L4Endpoint endpoint, long now)
    {
        var until = endpoint.State.EjectedUntil;
        return until != 0 && now < until;
    }

    public void Succeeded(L4Cluster cluster, L4Endpoint endpoint)
    {
        if (cluster.Outlier is null)
        {
            return;
        }

        lock (endpoint.State.Gate)
        {
            endpoint.State.ConsecutiveFailures = 0;
        }
    }

    public void Failed(L4Cluster cluster, L4Endpoint endpoint)
    {
        if (cluster.Outlier is not { } outlier)
        {
            return;
        }

        var now = time.GetTimestamp();
        var state = endpoint.State;
        lock (state.Gate)
        {
            if (++state.ConsecutiveFailures < outlier.ConsecutiveFailures || IsEjected(endpoint, now))
            {
                return;
            }

            // Envoy resets the streak whether or not the ejection happens.
            state.ConsecutiveFailures = 0;
        }

        var ejected = cluster.Endpoints.Count(e => e != endpoint && IsEjected(e, now));
        if (ejected > 0 && 100.0 * (ejected + 1) / cluster.Endpoints.Count > outlier.MaxEjectionPercent)
        {
            Log.EjectionSkipped(logger, endpoint.Authority, cluster.Name, outlier.MaxEjectionPercent);
            return;
        }

        TimeSpan duration;
        lock (state.Gate)
        {
            if (state.ReturnedAt != 0 && state.Ejections > 0 && time.GetElapsedTime(state.ReturnedAt, now) >= outlier.EjectionTime(state.Ejections))
            {
                state.Ejections--;
            }

            state.Ejections++;
            duration = outlier.EjectionTime(state.Ejections);
            state.EjectedUntil = now + (long)(duration.TotalSeconds * time.TimestampFrequency);
            state.ReturnedAt = state.EjectedUntil;
        }

        Log.Ejected(logger, endpoint.Authority, cluster.Name, duration);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Outlier detection ejected endpoint {Endpoint} of cluster {Cluster} for {Duration} after consecutive connect failures.")]
        public static partial void Ejected(ILogger logger, string endpoint, string cluster, TimeSpan duration);

        [LoggerMessage(2, LogLevel.Debug, "Outlier detection did not eject endpoint {Endpoint} of cluster {Cluster}: at most {MaxEjectionPercent}% of endpoints may be ejected.")]
        public static partial void EjectionSkipped(ILogger logger, string endpoint, string cluster, int maxEjectionPercent);
    }
}
