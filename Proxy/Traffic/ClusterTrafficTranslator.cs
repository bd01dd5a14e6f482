using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// Compiles a snapshot cluster's connection pool limits, retry budget, outlier detection and
/// consistent hash into the cluster's feature models (<see cref="ClusterCircuitBreaker"/>,
/// <see cref="ClusterOutlierDetection"/>, <see cref="ConsistentHashModel"/>) and sets the YARP
/// cluster up for them (load balancing policy, passive health hook and availability policy,
/// connections per endpoint).
/// </summary>
internal static class ClusterTrafficTranslator
{
    /// <summary>Istio's bound for maglev.tableSize (5000011 is the first prime it refuses).</summary>
    private const ulong MaxMaglevTableSize = 5000010;

    public static void Translate(ClusterTranslation translation, TrafficStateRegistry state)
    {
        if (translation.IsPassthrough)
        {
            return; // forwarded to the caller's authority: no cluster policies apply
        }

        var cluster = translation.Source;
        var path = translation.Path;
        var errors = translation.Errors;
        var before = errors.Count;
        var pool = ConnectionPool(cluster.ConnectionPool, translation.Protocol, $"{path}.connection_pool", errors);
        var outlier = Outlier(cluster.OutlierDetection, $"{path}.outlier_detection", errors);
        var hash = ConsistentHash(cluster.LoadBalancer?.ConsistentHash, $"{path}.load_balancer.consistent_hash", errors);
        var budget = RetryBudget(cluster.RetryBudget, $"{path}.retry_budget", errors);
        if (errors.Count != before || (pool is null && outlier is null && hash is null && budget is null))
        {
            return;
        }

        var live = state.For(cluster.Name);
        if (pool is not null || budget is not null)
        {
            var breaker = new ClusterCircuitBreaker(pool, budget, live.Pool);
            translation.SetModel(breaker);
            translation.RetryLimiter = breaker;
        }

        if (hash is not null)
        {
            translation.SetModel(hash);
            translation.LoadBalancingPolicy = ConsistentHashPolicy.PolicyName;
        }

        if (outlier is not null)
        {
            translation.SetModel(new ClusterOutlierDetection(outlier, live.Outlier));
            translation.Metadata[OutlierAvailabilityPolicy.MinHealthPercentKey] = outlier.MinHealthPercent.ToString(CultureInfo.InvariantCulture);
            translation.HealthCheck = new HealthCheckConfig
            {
                Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = OutlierDetector.PolicyName },
                AvailableDestinationsPolicy = OutlierAvailabilityPolicy.PolicyName,
            };
        }

        if (pool is { Http1: true, MaxConnections: > 0 })
        {
            // The pool admits at most MaxConnections requests; the client never opens more connections per endpoint.
            translation.HttpClient = (translation.HttpClient ?? HttpClientConfig.Empty) with { MaxConnectionsPerServer = pool.MaxConnections };
        }
    }

    private static ConnectionPoolModel? ConnectionPool(ConnectionPool? pool, Protocol protocol, string path, TranslationErrors errors)
    {
        if (pool is null || (pool.MaxConnections == 0 && pool.Http1MaxPendingRequests == 0 && pool.Http2MaxRequests == 0
            && pool.MaxRequestsPerConnection == 0 && pool.MaxRetries == 0))
        {
            return null;
        }

        var http1 = protocol is Protocol.Http or Protocol.Unspecified;
        if (pool.MaxRequestsPerConnection > 1)
        {
            errors.Add($"{path}.max_requests_per_connection", $"{pool.MaxRequestsPerConnection} is not supported by this proxy: only 1 (no connection reuse) is, as requests cannot be counted per pooled connection");
        }
        else if (pool.MaxRequestsPerConnection == 1 && !http1)
        {
            errors.Add($"{path}.max_requests_per_connection", $"1 is supported for HTTP/1.1 clusters only (this cluster speaks {protocol})");
        }

        return new ConnectionPoolModel
        {
            MaxConnections = Limit(pool.MaxConnections),
            MaxPendingRequests = Limit(pool.Http1MaxPendingRequests),
            MaxRequests = Limit(pool.Http2MaxRequests),
            MaxRetries = Limit(pool.MaxRetries),
            MaxRequestsPerConnection = Limit(pool.MaxRequestsPerConnection),
            Http1 = http1,
        };
    }

    private static RetryBudgetModel? RetryBudget(Contracts.Snapshots.RetryBudget? budget, string path, TranslationErrors errors)
    {
        if (budget is null)
        {
            return null;
        }

        if (double.IsNaN(budget.Percent) || budget.Percent < 0 || budget.Percent > 100)
        {
            errors.Add($"{path}.percent", $"must be 0-100 (got {budget.Percent.ToString(CultureInfo.InvariantCulture)})");
            return null;
        }

        return new RetryBudgetModel(budget.Percent, Limit(budget.MinRetryConcurrency));
    }

    /// <summary>Istio spells "unlimited" as 2^32-1; anything above int.MaxValue is unlimited here too.</summary>
    private static int Limit(uint value) => value > int.MaxValue ? 0 : (int)value;

    private static OutlierDetectionModel? Outlier(Contracts.Snapshots.OutlierDetection? outlier, string path, TranslationErrors errors)
    {
        if (outlier is null || (outlier.Consecutive5XxErrors == 0 && outlier.ConsecutiveGatewayErrors == 0))
        {
            return null;
        }

        var before = errors.Count;
        var interval = Duration(outlier.Interval, TimeSpan.FromSeconds(10), $"{path}.interval", errors);
        var baseEjection = Duration(outlier.BaseEjectionTime, TimeSpan.FromSeconds(30), $"{path}.base_ejection_time", errors);
        if (outlier.MaxEjectionPercent > 100)
        {
            errors.Add($"{path}.max_ejection_percent", $"must be 0-100 (got {outlier.MaxEjectionPercent})");
        }

        if (outlier.MinHealthPercent > 100)
        {
            errors.Add($"{path}.min_health_percent", $"must be 0-100 (got {outlier.MinHealthPercent})");
        }

        return errors.Count != before ? null : new OutlierDetectionModel
        {
            Consecutive5xxErrors = Limit(outlier.Consecutive5XxErrors),
            ConsecutiveGatewayErrors = Limit(outlier.ConsecutiveGatewayErrors),
            Interval = interval,
            BaseEjectionTime = baseEjection,
            MaxEjectionPercent = (int)outlier.MaxEjectionPercent,
            MinHealthPercent = (int)outlier.MinHealthPercent,
        };
    }

    private static TimeSpan Duration(Google.Protobuf.WellKnownTypes.Duration? value, TimeSpan fallback, string path, TranslationErrors errors)
    {
        if (value is null)
        {
            return fallback;
        }

        var span = value.ToTimeSpan();
        if (span < TimeSpan.FromMilliseconds(1))
        {
            errors.Add(path, "must be at least 1ms");
            return fallback;
        }

        return span;
    }

    private static bool IsPrime(ulong value)
    {
        if (value < 2)
        {
            return false;
        }

        for (ulong divisor = 2; divisor * divisor <= value; divisor++)
        {
            if (value % divisor == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static ConsistentHashModel? ConsistentHash(Contracts.Snapshots.ConsistentHash? hash, string path, TranslationErrors errors)
    {
        if (hash is null)
        {
            return null;
        }

        if (hash.MinimumRingSize > ConsistentHashModel.MaximumRingSize)
        {
            errors.Add($"{path}.minimum_ring_size", $"must be at most {ConsistentHashModel.MaximumRingSize} (got {hash.MinimumRingSize})");
            return null;
        }

        if (hash.MaglevTableSize > MaxMaglevTableSize || (hash.MaglevTableSize > 0 && !IsPrime(hash.MaglevTableSize)))
        {
            errors.Add($"{path}.maglev_table_size", $"must be a prime below {MaxMaglevTableSize + 1} (got {hash.MaglevTableSize})");
            return null;
        }

        var ringSize = hash.MinimumRingSize == 0 ? ConsistentHashModel.DefaultMinimumRingSize : (int)hash.MinimumRingSize;
        var maglev = (int)hash.MaglevTableSize;
        switch (hash.KeyCase)
        {
            case Contracts.Snapshots.ConsistentHash.KeyOneofCase.HttpHeaderName when hash.HttpHeaderName.Length > 0:
                return new ConsistentHashModel(HashKey.HttpHeader, hash.HttpHeaderName.ToLowerInvariant()) { MinimumRingSize = ringSize, MaglevTableSize = maglev };
            case Contracts.Snapshots.ConsistentHash.KeyOneofCase.HttpQueryParameterName when hash.HttpQueryParameterName.Length > 0:
                return new ConsistentHashModel(HashKey.QueryParameter, hash.HttpQueryParameterName) { MinimumRingSize = ringSize, MaglevTableSize = maglev };
            case Contracts.Snapshots.ConsistentHash.KeyOneofCase.UseSourceIp when hash.UseSourceIp:
                return new ConsistentHashModel(HashKey.SourceIp, string.Empty) { MinimumRingSize = ringSize, MaglevTableSize = maglev };
            case Contracts.Snapshots.ConsistentHash.KeyOneofCase.HttpCookie when hash.HttpCookie.Name.Length > 0:
                var cookie = hash.HttpCookie;
                if (cookie.Ttl is { } ttl && (ttl.Seconds < 0 || ttl.Nanos < 0))
                {
                    errors.Add($"{path}.http_cookie.ttl", "must not be negative");
                    return null;
                }

                return new ConsistentHashModel(HashKey.HttpCookie, cookie.Name)
                {
                    CookiePath = string.IsNullOrEmpty(cookie.Path) ? null : cookie.Path,
                    CookieTtl = cookie.Ttl?.ToTimeSpan(),
                    MinimumRingSize = ringSize,
                    MaglevTableSize = maglev,
                };
            default:
                errors.Add(path, "needs one of http_header_name, http_cookie (with a name), use_source_ip or http_query_parameter_name");
                return null;
        }
    }
}
