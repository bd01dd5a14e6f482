using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Translation;

/// <summary>
/// Snapshot features this proxy does not implement yet. A snapshot using one is rejected (NACK)
/// naming the field, rather than acknowledged and silently not enforced. Remove a check here
/// in the same change that implements the feature.
/// </summary>
public static class UnsupportedFeatureCheck
{
    public static void Check(ProxySnapshot snapshot, TranslationErrors errors)
    {
        for (var i = 0; i < snapshot.VirtualHosts.Count; i++)
        {
            var vh = snapshot.VirtualHosts[i];
            for (var j = 0; j < vh.Routes.Count; j++)
            {
                var route = vh.Routes[j];
                var name = string.IsNullOrEmpty(route.Name) ? string.Empty : $" ({route.Name})";
                CheckRoute(route, $"virtual_hosts[{i}] ({vh.Name}).routes[{j}]{name}", errors);
            }
        }

        for (var i = 0; i < snapshot.Clusters.Count; i++)
        {
            CheckCluster(snapshot.Clusters[i], $"clusters[{i}] ({snapshot.Clusters[i].Name})", errors);
        }

        for (var i = 0; i < snapshot.GatewayServers.Count; i++)
        {
            var server = snapshot.GatewayServers[i];
            var path = $"gateway_servers[{i}] ({server.Name})";
            if (server.Tls is { } tls && (tls.Mode != GatewayTls.Types.Mode.None || tls.HttpsRedirect))
            {
                errors.Add($"{path}.tls", "TLS termination and httpsRedirect are not supported by this gateway yet");
            }
            else if (server.Protocol is Protocol.Https or Protocol.Tcp)
            {
                errors.Add($"{path}.protocol", $"{server.Protocol} servers are not supported by this gateway yet");
            }
        }

        if (snapshot.Inbound is { } inbound)
        {
            if (inbound.Mtls == MtlsMode.Strict || inbound.PortMtls.Values.Any(m => m == MtlsMode.Strict))
            {
                errors.Add("inbound.mtls", "STRICT mutual TLS is not enforced by this proxy yet");
            }

            if (inbound.Authorization.Count > 0)
            {
                errors.Add("inbound.authorization", "authorization policies are not enforced by this proxy yet");
            }

            if (inbound.JwtRules.Count > 0)
            {
                errors.Add("inbound.jwt_rules", "request authentication (JWT) is not enforced by this proxy yet");
            }
        }
    }

    private static void CheckRoute(Route route, string path, TranslationErrors errors)
    {
        switch (route.ActionCase)
        {
            case Route.ActionOneofCase.Redirect:
                errors.Add($"{path}.redirect", "redirects are not supported by this proxy yet");
                break;
            case Route.ActionOneofCase.DirectResponse:
                errors.Add($"{path}.direct_response", "direct responses are not supported by this proxy yet");
                break;
            case Route.ActionOneofCase.Route_:
                if (route.Route_.Rewrite is { } rewrite && (rewrite.Uri.Length > 0 || rewrite.Authority.Length > 0 || rewrite.UriRegex is not null))
                {
                    errors.Add($"{path}.route.rewrite", "rewrites are not supported by this proxy yet");
                }

                for (var k = 0; k < route.Route_.Clusters.Count; k++)
                {
                    var weighted = route.Route_.Clusters[k];
                    if (HasOperations(weighted.RequestHeaders) || HasOperations(weighted.ResponseHeaders))
                    {
                        errors.Add($"{path}.route.clusters[{k}]", "header operations are not supported by this proxy yet");
                    }
                }

                break;
        }

        if (route.Fault is not null && (route.Fault.Delay is not null || route.Fault.Abort is not null))
        {
            errors.Add($"{path}.fault", "fault injection is not supported by this proxy yet");
        }

        if (route.Mirrors.Count > 0)
        {
            errors.Add($"{path}.mirrors", "mirroring is not supported by this proxy yet");
        }

        if (HasOperations(route.RequestHeaders) || HasOperations(route.ResponseHeaders))
        {
            errors.Add($"{path}.request_headers/response_headers", "header operations are not supported by this proxy yet");
        }

        if (route.Cors is not null)
        {
            errors.Add($"{path}.cors", "CORS policies are not supported by this proxy yet");
        }
    }

    private static void CheckCluster(Cluster cluster, string path, TranslationErrors errors)
    {
        if (cluster.LoadBalancer?.ConsistentHash is not null)
        {
            errors.Add($"{path}.load_balancer.consistent_hash", "consistent hash load balancing is not supported by this proxy yet");
        }

        if (cluster.ConnectionPool is { } pool
            && (pool.MaxConnections > 0 || pool.Http1MaxPendingRequests > 0 || pool.Http2MaxRequests > 0 || pool.MaxRequestsPerConnection > 0 || pool.MaxRetries > 0))
        {
            errors.Add($"{path}.connection_pool", "connection pool limits (circuit breaking) are not supported by this proxy yet; only connect_timeout and idle_timeout are");
        }

        if (cluster.OutlierDetection is { } outlier && (outlier.Consecutive5XxErrors > 0 || outlier.ConsecutiveGatewayErrors > 0))
        {
            errors.Add($"{path}.outlier_detection", "outlier detection is not supported by this proxy yet");
        }

        if (cluster.Tls is { } tls && tls.Mode != UpstreamTls.Types.Mode.Disable)
        {
            errors.Add($"{path}.tls", $"upstream TLS ({tls.Mode}) is not supported by this proxy yet");
        }
    }

    private static bool HasOperations(HeaderOperations? operations)
        => operations is not null && (operations.Set.Count > 0 || operations.Add.Count > 0 || operations.Remove.Count > 0);
}
