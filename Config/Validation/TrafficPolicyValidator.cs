using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Validation of a DestinationRule <c>TrafficPolicy</c> (top level, subset or port level).</summary>
internal static class TrafficPolicyValidator
{
    public static void Validate(TrafficPolicy? policy, string path, ValidationContext context)
    {
        if (policy is null)
        {
            return;
        }

        if (policy.LoadBalancer is null && policy.ConnectionPool is null && policy.OutlierDetection is null && policy.Tls is null
            && policy.PortLevelSettings.Count == 0 && policy.Tunnel is null && policy.ProxyProtocol is null && policy.RetryBudget is null)
        {
            context.Error(path, "traffic policy must have at least one field");
            return;
        }

        ValidateParts(policy.LoadBalancer, policy.ConnectionPool, policy.OutlierDetection, policy.Tls, path, context);
        for (var i = 0; i < policy.PortLevelSettings.Count; i++)
        {
            // Istio checks only that a port is given; a port no service has never applies, and of
            // two settings for one port the first applies (TrafficPolicyMerger), as in Istio.
            var portPolicy = policy.PortLevelSettings[i];
            var portPath = $"{path}.portLevelSettings[{i}]";
            if (portPolicy.Port is null)
            {
                context.Error($"{portPath}.port", "portTrafficPolicy must have valid port");
            }

            if (portPolicy.LoadBalancer is null && portPolicy.ConnectionPool is null && portPolicy.OutlierDetection is null && portPolicy.Tls is null)
            {
                context.Error(portPath, "port traffic policy must have at least one field");
                continue;
            }

            ValidateParts(portPolicy.LoadBalancer, portPolicy.ConnectionPool, portPolicy.OutlierDetection, portPolicy.Tls, portPath, context);
        }

        // Envoy's retry budget (Istio 1.24+): retries allowed as a share of active requests.
        if (policy.RetryBudget?.Percent is { } percent && (double.IsNaN(percent) || percent < 0 || percent > 100))
        {
            context.Error($"{path}.retryBudget.percent", $"percent must be between 0 and 100 (got {percent})");
        }
    }

    private static void ValidateParts(LoadBalancerSettings? loadBalancer, ConnectionPoolSettings? pool, OutlierDetection? outlier, ClientTlsSettings? tls, string path, ValidationContext context)
    {
        ValidateLoadBalancer(loadBalancer, $"{path}.loadBalancer", context);
        ConnectionPoolValidator.Validate(pool, $"{path}.connectionPool", context);
        ValidateOutlierDetection(outlier, $"{path}.outlierDetection", context);
        ValidateTls(tls, $"{path}.tls", context);
    }

    private static void ValidateLoadBalancer(LoadBalancerSettings? settings, string path, ValidationContext context)
    {
        if (settings is null)
        {
            return;
        }

        if (settings.Simple is not null && settings.ConsistentHash is not null)
        {
            context.Error(path, "only one of simple or consistentHash may be set");
        }

        if (settings.ConsistentHash is { } hash)
        {
            var hashPath = $"{path}.consistentHash";
            var keys = (hash.HttpHeaderName is not null ? 1 : 0) + (hash.HttpCookie is not null ? 1 : 0)
                + (hash.UseSourceIp is not null ? 1 : 0) + (hash.HttpQueryParameterName is not null ? 1 : 0);
            if (keys != 1)
            {
                context.Error(hashPath, "exactly one of httpHeaderName, httpCookie, useSourceIp or httpQueryParameterName must be set");
            }

            if (hash.HttpCookie is { } cookie)
            {
                if (string.IsNullOrEmpty(cookie.Name))
                {
                    context.Error($"{hashPath}.httpCookie.name", "name required for HttpCookie");
                }

                if (cookie.Ttl is { } ttl && ttl < TimeSpan.Zero)
                {
                    context.Error($"{hashPath}.httpCookie.ttl", "ttl must not be negative");
                }

            }

            if (hash.RingHash is not null && hash.Maglev is not null)
            {
                context.Error(hashPath, "only one of ringHash or maglev may be set");
            }

            if (hash.MinimumRingSize is > 0 && (hash.RingHash is not null || hash.Maglev is not null))
            {
                context.Error($"{hashPath}.minimumRingSize", "only one of MinimumRingSize or Maglev/Ringhash can be specified");
            }

            foreach (var (field, size) in new[] { ("minimumRingSize", hash.MinimumRingSize), ("ringHash.minimumRingSize", hash.RingHash?.MinimumRingSize) })
            {
                if (size is > MaximumRingSize)
                {
                    context.Error($"{hashPath}.{field}", $"minimum ring size {size} is larger than the maximum ring size {MaximumRingSize} (Envoy's default, which the proxy keeps)");
                }
            }

            if (hash.Maglev is { } maglev)
            {
                var size = maglev.TableSize ?? 0;
                if (size == 0)
                {
                    context.Error($"{hashPath}.maglev.tableSize", "tableSize must be set for maglev");
                }
                else if (size >= 5000011)
                {
                    context.Error($"{hashPath}.maglev.tableSize", "tableSize must be less than 5000011 for maglev");
                }
                else if (!IsPrime(size))
                {
                    context.Error($"{hashPath}.maglev.tableSize", "tableSize must be a prime number for maglev");
                }
            }
        }

        if (settings.LocalityLbSetting is not null && settings.ZoneAwareLbSetting is not null)
        {
            context.Error(path, "only one of localityLbSetting and zoneAwareLbSetting can be set");
        }

        if (settings.LocalityLbSetting is { } locality)
        {
            ValidateLocality(locality, $"{path}.localityLbSetting", context);
        }
    }

    // Istio's validateLocalityLbSetting.
    private static void ValidateLocality(LocalityLoadBalancerSetting locality, string path, ValidationContext context)
    {
        if (locality.Distribute.Count > 0 && locality.Failover.Count > 0)
        {
            context.Error(path, "can not simultaneously specify 'distribute' and 'failover'");
        }

        LocalityDistributeValidator.Validate(locality.Distribute, $"{path}.distribute", context);

        for (var i = 0; i < locality.Failover.Count; i++)
        {
            var failover = locality.Failover[i];
            var at = $"{path}.failover[{i}]";
            if (failover.From == failover.To)
            {
                context.Error(at, "locality lb failover settings must specify different regions");
            }

            foreach (var (field, region) in new[] { ("from", failover.From), ("to", failover.To) })
            {
                if (string.IsNullOrEmpty(region))
                {
                    context.Error($"{at}.{field}", "locality lb failover must specify a region");
                }
                else if (region.Contains('/'))
                {
                    context.Error($"{at}.{field}", $"locality lb failover only specify region, got \"{region}\"");
                }
                else if (region.Contains('*'))
                {
                    context.Error($"{at}.{field}", "locality lb failover region should not contain '*' wildcard");
                }
            }
        }

        for (var i = 0; i < locality.FailoverPriority.Count; i++)
        {
            var entry = locality.FailoverPriority[i];
            var key = entry.Contains('=') ? entry[..entry.IndexOf('=')] : entry;
            if (key.Length == 0)
            {
                context.Error($"{path}.failoverPriority[{i}]", $"invalid failoverPriority \"{entry}\": expected a label name or label=value");
            }
        }
    }

    private static void ValidateOutlierDetection(OutlierDetection? outlier, string path, ValidationContext context)
    {
        if (outlier is null)
        {
            return;
        }

        foreach (var (field, value) in new[] { ("baseEjectionTime", outlier.BaseEjectionTime), ("interval", outlier.Interval) })
        {
            if (value is { } duration && IstioRules.Duration(duration) is { } error)
            {
                context.Error($"{path}.{field}", error);
            }
        }

        if (IstioRules.Percent(outlier.MaxEjectionPercent) is { } maxError)
        {
            context.Error($"{path}.maxEjectionPercent", maxError);
        }

        if (IstioRules.Percent(outlier.MinHealthPercent) is { } minError)
        {
            context.Error($"{path}.minHealthPercent", minError);
        }

        if (outlier.ConsecutiveErrors is < 0)
        {
            context.Error($"{path}.consecutiveErrors", "consecutiveErrors must not be negative");
        }

        if (outlier.ConsecutiveLocalOriginFailures is > 0 && outlier.SplitExternalLocalOriginErrors != true)
        {
            context.Error($"{path}.consecutiveLocalOriginFailures", "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
        }

        if (outlier.SplitExternalLocalOriginErrors == true)
        {
            context.Error($"{path}.splitExternalLocalOriginErrors", "splitExternalLocalOriginErrors true is not supported: the proxy does not count local-origin failures apart from upstream errors");
        }
    }

    internal static void ValidateTls(ClientTlsSettings? tls, string path, ValidationContext context)
    {
        if (tls is null)
        {
            return;
        }

        var mode = tls.Mode ?? ClientTlsMode.Disable;
        if (tls.InsecureSkipVerify == true)
        {
            if (mode == ClientTlsMode.Simple && (tls.CaCertificates is not null || tls.CredentialName is not null || tls.SubjectAltNames.Count > 0))
            {
                context.Error(path, "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
            }

            if (mode == ClientTlsMode.Mutual && (tls.CaCertificates is not null || tls.SubjectAltNames.Count > 0))
            {
                context.Error(path, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
            }
        }

        if (mode is ClientTlsMode.Simple or ClientTlsMode.Mutual && !string.IsNullOrEmpty(tls.CredentialName))
        {
            if (tls.ClientCertificate is not null || tls.CaCertificates is not null || tls.PrivateKey is not null || tls.CaCrl is not null)
            {
                context.Error(path, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
            }
        }
        else if (mode == ClientTlsMode.Mutual)
        {
            if (string.IsNullOrEmpty(tls.ClientCertificate))
            {
                context.Error($"{path}.clientCertificate", "client certificate required for mutual tls");
            }

            if (string.IsNullOrEmpty(tls.PrivateKey))
            {
                context.Error($"{path}.privateKey", "private key required for mutual tls");
            }
        }
    }

    // Envoy's default ring_hash maximum_ring_size; the proxy refuses rings above it.
    private const ulong MaximumRingSize = 8 * 1024 * 1024;

    private static bool IsPrime(ulong x)
    {
        if (x is > 0 and < 4)
        {
            return true;
        }

        if ((x & 1) == 0)
        {
            return false;
        }

        var limit = (ulong)Math.Sqrt(x);
        for (ulong factor = 3; factor <= limit; factor += 2)
        {
            if (x % factor == 0)
            {
                return false;
            }
        }

        return true;
    }
}
