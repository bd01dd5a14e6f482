using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Builds clusters (<c>outbound|port|subset|host</c>) in two halves that change for different
/// reasons: the <see cref="Definition"/> (protocol and the effective DestinationRule traffic
/// policy: load balancer, connection pool, outlier detection, client TLS) changes with the
/// configuration, the <see cref="Endpoints"/> (the service's endpoints filtered by the subset's
/// labels) with the registry. A subset no DestinationRule defines yields a cluster without
/// endpoints, so requests to it fail with 503 (no healthy upstream), as in Istio.
/// </summary>
internal sealed class ClusterSnapshotBuilder(ServiceIndex services, MeshSettings settings)
{
    /// <summary>Everything but the endpoints; depends on the configuration and the service's ports only.</summary>
    public Wire.Cluster Definition(ClusterKey key)
    {
        var (hostname, port, subset, rule) = (key.Host, key.Port, key.Subset.Length == 0 ? null : key.Subset, key.Rule);
        var service = services.Find(hostname);
        var cluster = new Wire.Cluster
        {
            Name = HostNames.ClusterName(port, subset, hostname),
            Service = hostname,
            Subset = subset ?? "",
            Port = port,
        };
        if (service is null)
        {
            // Unknown host: no endpoints (Istio answers 503 NR/UH for such routes).
            return cluster;
        }

        var servicePort = service.FindPort(port);
        cluster.Protocol = servicePort?.Protocol ?? Wire.Protocol.Unspecified;
        cluster.External = service.External;
        cluster.DnsResolution = service.DnsResolution;
        var policy = TrafficPolicyMerger.Effective(rule?.Spec, subset, port);
        if (service.Passthrough)
        {
            cluster.LoadBalancer = new Wire.LoadBalancer { Simple = Wire.LoadBalancer.Types.Simple.Passthrough };
        }
        else if (policy?.LoadBalancer is { } loadBalancer)
        {
            cluster.LoadBalancer = LoadBalancer(loadBalancer);
        }

        if (policy?.ConnectionPool is { } pool)
        {
            cluster.ConnectionPool = ConnectionPool(pool);
        }

        if (policy?.RetryBudget is { } budget)
        {
            // Istio's (Envoy's) defaults: 20% of active requests, at least 3 retries at once.
            cluster.RetryBudget = new Wire.RetryBudget
            {
                Percent = budget.Percent ?? 20.0,
                MinRetryConcurrency = budget.MinRetryConcurrency ?? 3,
            };
        }

        if (policy?.OutlierDetection is { } outlier)
        {
            cluster.OutlierDetection = OutlierDetection(outlier);
        }

        if (policy?.Tls is { } tls)
        {
            cluster.Tls = UpstreamTls(tls, service);
        }

        return cluster;
    }

    /// <summary>
    /// The endpoints of the service port that carry the subset's labels (all of them without a
    /// subset; none for a subset the rule does not define). The registry's endpoint messages are
    /// shared, not copied: snapshots are immutable once built.
    /// </summary>
    public ImmutableArray<Wire.Endpoint> Endpoints(ClusterKey key)
    {
        if (services.Find(key.Host) is not { } service)
        {
            return [];
        }

        var subsetLabels = key.Subset.Length == 0 ? null : key.Rule?.Spec.Subsets.FirstOrDefault(s => s.Name == key.Subset)?.Labels;
        if (key.Subset.Length > 0 && subsetLabels is null)
        {
            return [];
        }

        var endpoints = ImmutableArray.CreateBuilder<Wire.Endpoint>();
        foreach (var endpoint in service.Endpoints.Where(e => e.ServicePort == key.Port).Select(e => e.Endpoint))
        {
            if (subsetLabels is null || subsetLabels.All(l => endpoint.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            {
                endpoints.Add(endpoint);
            }
        }

        return endpoints.DrainToImmutable();
    }

    private static Wire.LoadBalancer LoadBalancer(LoadBalancerSettings settings)
    {
        var result = new Wire.LoadBalancer
        {
            Simple = settings.Simple switch
            {
                SimpleLoadBalancer.RoundRobin => Wire.LoadBalancer.Types.Simple.RoundRobin,
                SimpleLoadBalancer.LeastConn or SimpleLoadBalancer.LeastRequest => Wire.LoadBalancer.Types.Simple.LeastRequest,
                SimpleLoadBalancer.Random => Wire.LoadBalancer.Types.Simple.Random,
                SimpleLoadBalancer.Passthrough => Wire.LoadBalancer.Types.Simple.Passthrough,
                _ => Wire.LoadBalancer.Types.Simple.Unspecified,
            },
        };
        if (settings.ConsistentHash is { } hash)
        {
            var consistent = new Wire.ConsistentHash
            {
                MinimumRingSize = hash.RingHash?.MinimumRingSize ?? hash.MinimumRingSize ?? 0,
                MaglevTableSize = hash.Maglev?.TableSize ?? 0,
            };
            if (hash.HttpHeaderName is { } header)
            {
                consistent.HttpHeaderName = header;
            }
            else if (hash.HttpCookie is { } cookie)
            {
                consistent.HttpCookie = new Wire.HttpCookie { Name = cookie.Name ?? "", Path = cookie.Path ?? "" };
                if (cookie.Ttl is { } ttl)
                {
                    consistent.HttpCookie.Ttl = Duration.FromTimeSpan(ttl);
                }
            }
            else if (hash.UseSourceIp == true)
            {
                consistent.UseSourceIp = true;
            }
            else if (hash.HttpQueryParameterName is { } query)
            {
                consistent.HttpQueryParameterName = query;
            }

            result.ConsistentHash = consistent;
        }

        return result;
    }

    private static Wire.ConnectionPool ConnectionPool(ConnectionPoolSettings settings)
    {
        var pool = new Wire.ConnectionPool
        {
            MaxConnections = (uint)Math.Max(0, settings.Tcp?.MaxConnections ?? 0),
            Http1MaxPendingRequests = (uint)Math.Max(0, settings.Http?.Http1MaxPendingRequests ?? 0),
            Http2MaxRequests = (uint)Math.Max(0, settings.Http?.Http2MaxRequests ?? 0),
            MaxRequestsPerConnection = (uint)Math.Max(0, settings.Http?.MaxRequestsPerConnection ?? 0),
            MaxRetries = (uint)Math.Max(0, settings.Http?.MaxRetries ?? 0),
            H2UpgradePolicy = settings.Http?.H2UpgradePolicy switch
            {
                H2UpgradePolicy.Upgrade => Wire.H2UpgradePolicy.Upgrade,
                H2UpgradePolicy.DoNotUpgrade => Wire.H2UpgradePolicy.DoNotUpgrade,
                _ => Wire.H2UpgradePolicy.H2UpgradeDefault,
            },
        };
        if (settings.Tcp?.ConnectTimeout is { } connect)
        {
            pool.ConnectTimeout = Duration.FromTimeSpan(connect);
        }

        if ((settings.Http?.IdleTimeout ?? settings.Tcp?.IdleTimeout) is { } idle)
        {
            pool.IdleTimeout = Duration.FromTimeSpan(idle);
        }

        if (settings.Tcp is { } tcp)
        {
            if (tcp.IdleTimeout is { } tcpIdle)
            {
                pool.TcpIdleTimeout = Duration.FromTimeSpan(tcpIdle);
            }

            if (tcp.MaxConnectionDuration is { } duration && duration > TimeSpan.Zero)
            {
                pool.MaxConnectionDuration = Duration.FromTimeSpan(duration);
            }

            if (tcp.TcpKeepalive is { } keepalive)
            {
                pool.TcpKeepalive = new Wire.TcpKeepalive
                {
                    Probes = keepalive.Probes ?? 0,
                    Time = keepalive.Time is { } time ? Duration.FromTimeSpan(time) : null,
                    Interval = keepalive.Interval is { } interval ? Duration.FromTimeSpan(interval) : null,
                };
            }
        }

        return pool;
    }

    // Envoy's (and so Istio's) defaults apply to the fields an outlierDetection block leaves out.
    // The deprecated consecutiveErrors counts gateway errors (502, 503, 504) only and turns the
    // default 5xx detector off, as Istio translates it.
    private static Wire.OutlierDetection OutlierDetection(OutlierDetection settings) => new()
    {
        Consecutive5XxErrors = settings.Consecutive5xxErrors ?? (settings.ConsecutiveErrors is > 0 ? 0u : 5u),
        ConsecutiveGatewayErrors = settings.ConsecutiveGatewayErrors ?? (settings.ConsecutiveErrors is int legacy and > 0 ? (uint)legacy : 0u),
        Interval = Duration.FromTimeSpan(settings.Interval ?? TimeSpan.FromSeconds(10)),
        BaseEjectionTime = Duration.FromTimeSpan(settings.BaseEjectionTime ?? TimeSpan.FromSeconds(30)),
        MaxEjectionPercent = (uint)Math.Clamp(settings.MaxEjectionPercent ?? 10, 0, 100),
        MinHealthPercent = (uint)Math.Clamp(settings.MinHealthPercent ?? 0, 0, 100),
    };

    private Wire.UpstreamTls UpstreamTls(ClientTlsSettings clientTls, ServiceModel service)
    {
        var tls = new Wire.UpstreamTls
        {
            Mode = clientTls.Mode switch
            {
                ClientTlsMode.Simple => Wire.UpstreamTls.Types.Mode.Simple,
                ClientTlsMode.Mutual => Wire.UpstreamTls.Types.Mode.Mutual,
                ClientTlsMode.IstioMutual => Wire.UpstreamTls.Types.Mode.IstioMutual,
                _ => Wire.UpstreamTls.Types.Mode.Disable,
            },
            Sni = clientTls.Sni ?? "",
            InsecureSkipVerify = clientTls.InsecureSkipVerify ?? false,
        };
        tls.SubjectAltNames.AddRange(clientTls.SubjectAltNames.Count > 0 ? clientTls.SubjectAltNames : service.SubjectAltNames);
        if (!string.IsNullOrEmpty(clientTls.CredentialName))
        {
            // A named credential holds the client certificate (MUTUAL) and/or the CA bundle.
            if (settings.CredentialLookup?.Invoke(clientTls.CredentialName) is { } credential)
            {
                if (clientTls.Mode == ClientTlsMode.Mutual)
                {
                    tls.ClientCertificatePem = credential.CertificatePem;
                    tls.PrivateKeyPem = credential.PrivateKeyPem;
                }

                tls.CaCertificatesPem = credential.CaCertificatesPem ?? "";
            }
        }
        else
        {
            tls.CaCertificatesPem = ReadPem(clientTls.CaCertificates);
            tls.ClientCertificatePem = ReadPem(clientTls.ClientCertificate);
            tls.PrivateKeyPem = ReadPem(clientTls.PrivateKey);
        }

        return tls;
    }

    private string ReadPem(string? path) =>
        string.IsNullOrEmpty(path) ? "" : settings.PemFileReader?.Invoke(path) ?? "";
}
