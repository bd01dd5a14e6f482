using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's connection pool rules, and the values the proxy cannot honour (refused fields: <see cref="RefusedFields"/>).</summary>
internal static class ConnectionPoolValidator
{
    public static void Validate(ConnectionPoolSettings? settings, string path, ValidationContext context)
    {
        if (settings is null)
        {
            return;
        }

        if (settings.Http is null && settings.Tcp is null)
        {
            context.Error(path, "connection pool must have at least one field");
            return;
        }

        if (settings.Http is { } http)
        {
            var httpPath = $"{path}.http";
            NonNegative(http.Http1MaxPendingRequests, $"{httpPath}.http1MaxPendingRequests", "http1 max pending requests must be non-negative", context);
            NonNegative(http.Http2MaxRequests, $"{httpPath}.http2MaxRequests", "http2 max requests must be non-negative", context);
            NonNegative(http.MaxRequestsPerConnection, $"{httpPath}.maxRequestsPerConnection", "max requests per connection must be non-negative", context);
            NonNegative(http.MaxRetries, $"{httpPath}.maxRetries", "max retries must be non-negative", context);
            if (http.IdleTimeout is { } idle && IstioRules.Duration(idle) is { } error)
            {
                context.Error($"{httpPath}.idleTimeout", error);
            }

            if (http.H2UpgradePolicy is H2UpgradePolicy.Upgrade && http.UseClientProtocol == true)
            {
                context.Error($"{httpPath}.useClientProtocol", "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
            }

            NonNegative(http.MaxConcurrentStreams, $"{httpPath}.maxConcurrentStreams", "max concurrent streams must be non-negative", context);
            if (http.MaxRequestsPerConnection is > 1)
            {
                context.Error($"{httpPath}.maxRequestsPerConnection",
                    $"maxRequestsPerConnection {http.MaxRequestsPerConnection} is not supported: only 0 (unlimited) or 1 (no connection reuse, HTTP/1.1 services), as the proxy cannot count requests per pooled connection");
            }
        }

        if (settings.Tcp is { } tcp)
        {
            var tcpPath = $"{path}.tcp";
            NonNegative(tcp.MaxConnections, $"{tcpPath}.maxConnections", "max connections must be non-negative", context);
            if (tcp.ConnectTimeout is { } connect && IstioRules.Duration(connect) is { } error)
            {
                context.Error($"{tcpPath}.connectTimeout", error);
            }

            if (tcp.IdleTimeout is { } idle && idle != TimeSpan.Zero && IstioRules.Duration(idle) is { } idleError)
            {
                context.Error($"{tcpPath}.idleTimeout", idleError);
            }

            if (tcp.TcpKeepalive is { } keepalive)
            {
                foreach (var (field, value) in new[] { ("time", keepalive.Time), ("interval", keepalive.Interval) })
                {
                    if (value is { } duration && IstioRules.Duration(duration) is { } keepaliveError)
                    {
                        context.Error($"{tcpPath}.tcpKeepalive.{field}", keepaliveError);
                    }
                }
            }

            if (tcp.MaxConnectionDuration is { } maxDuration && IstioRules.Duration(maxDuration) is { } durationError)
            {
                context.Error($"{tcpPath}.maxConnectionDuration", durationError);
            }
        }
    }

    private static void NonNegative(int? value, string path, string message, ValidationContext context)
    {
        if (value is < 0)
        {
            context.Error(path, message);
        }
    }
}
