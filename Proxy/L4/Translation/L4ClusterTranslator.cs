using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.Upstream;

namespace Mesh.Proxy.L4.Translation;

/// <summary>
/// A snapshot cluster in the L4 proxy's form: endpoints, load balancing, <c>connectionPool.tcp</c>,
/// outlier detection (connect failures count as 5xx and as gateway errors, as Istio documents for
/// opaque TCP), and upstream TLS: DestinationRule tls wins; without one, auto mTLS to endpoints that
/// have sidecars once the mesh has a CA.
/// </summary>
internal static class L4ClusterTranslator
{
    public static L4Cluster? Translate(Cluster source, string path, TranslationErrors errors, bool meshHasCa, L4ClusterStates states)
    {
        var before = errors.Count;
        var state = states.Get(source.Name);
        var endpoints = new List<L4Endpoint>(source.Endpoints.Count);
        for (var i = 0; i < source.Endpoints.Count; i++)
        {
            var endpoint = source.Endpoints[i];
            if (string.IsNullOrWhiteSpace(endpoint.Address) || endpoint.Port is 0 or > 65535)
            {
                errors.Add($"{path}.endpoints[{i}]", $"'{endpoint.Address}:{endpoint.Port}' is not a dialable address");
                continue;
            }

            var host = endpoint.Address.Trim('[', ']');
            endpoints.Add(new L4Endpoint(host, (int)endpoint.Port, endpoint, state.Endpoint($"{host}:{endpoint.Port}")));
        }

        var tls = Tls(source, meshHasCa, path, errors);
        if (errors.Count != before)
        {
            return null;
        }

        return new L4Cluster
        {
            Name = source.Name,
            Service = string.IsNullOrEmpty(source.Service) ? null : source.Service,
            Subset = string.IsNullOrEmpty(source.Subset) ? null : source.Subset,
            Port = (int)source.Port,
            External = source.External,
            Endpoints = endpoints,
            Balancing = Balancing(source.LoadBalancer),
            Pool = Pool(source.ConnectionPool),
            Outlier = Outlier(source.OutlierDetection),
            Tls = tls,
            State = state,
        };
    }

    /// <summary>The sidecar's own cluster to the local app (inbound TCP ports).</summary>
    public static L4Cluster App(string name, string address, int port, L4ClusterStates states)
    {
        var state = states.Get(name);
        return new L4Cluster
        {
            Name = name,
            Port = port,
            Endpoints = [new L4Endpoint(address, port, null, state.Endpoint($"{address}:{port}"))],
            State = state,
        };
    }

    private static L4Balancing Balancing(LoadBalancer? balancer) => balancer switch
    {
        { ConsistentHash.KeyCase: ConsistentHash.KeyOneofCase.UseSourceIp } => L4Balancing.SourceIpHash,
        { Simple: LoadBalancer.Types.Simple.Passthrough } => L4Balancing.Passthrough,
        { Simple: LoadBalancer.Types.Simple.RoundRobin } => L4Balancing.RoundRobin,
        { Simple: LoadBalancer.Types.Simple.Random } => L4Balancing.Random,
        _ => L4Balancing.LeastConnections,
    };

    private static L4PoolSettings Pool(ConnectionPool? pool)
    {
        if (pool is null)
        {
            return L4PoolSettings.Default;
        }

        return new L4PoolSettings
        {
            MaxConnections = (int)Math.Min(pool.MaxConnections, int.MaxValue),
            ConnectTimeout = pool.ConnectTimeout?.ToTimeSpan() is { } connect && connect > TimeSpan.Zero ? connect : L4PoolSettings.DefaultConnectTimeout,
            IdleTimeout = pool.TcpIdleTimeout is null ? L4PoolSettings.DefaultIdleTimeout : pool.TcpIdleTimeout.ToTimeSpan() is var idle && idle > TimeSpan.Zero ? idle : null,
            MaxConnectionDuration = pool.MaxConnectionDuration?.ToTimeSpan() is { } duration && duration > TimeSpan.Zero ? duration : null,
            Keepalive = pool.TcpKeepalive is { } keepalive
                ? new L4Keepalive(keepalive.Probes == 0 ? null : (int)keepalive.Probes, keepalive.Time?.ToTimeSpan(), keepalive.Interval?.ToTimeSpan())
                : null,
        };
    }

    private static L4OutlierSettings? Outlier(OutlierDetection? outlier)
    {
        if (outlier is null)
        {
            return null;
        }

        // A connect failure counts towards both detectors; the lower enabled threshold trips first.
        var thresholds = new[] { outlier.Consecutive5XxErrors, outlier.ConsecutiveGatewayErrors }.Where(t => t > 0).ToList();
        if (thresholds.Count == 0)
        {
            return null;
        }

        return new L4OutlierSettings(
            (int)thresholds.Min(),
            outlier.Interval?.ToTimeSpan() ?? TimeSpan.FromSeconds(10),
            outlier.BaseEjectionTime?.ToTimeSpan() ?? TimeSpan.FromSeconds(30),
            (int)outlier.MaxEjectionPercent,
            (int)outlier.MinHealthPercent);
    }

    private static L4UpstreamTls Tls(Cluster cluster, bool meshHasCa, string path, TranslationErrors errors)
    {
        var tls = cluster.Tls;
        if (tls is null)
        {
            return meshHasCa && cluster.Endpoints.Any(e => e.Mtls) ? new L4UpstreamTls { Mode = L4TlsMode.IstioMutual } : L4UpstreamTls.None;
        }

        switch (tls.Mode)
        {
            case UpstreamTls.Types.Mode.Disable:
                return L4UpstreamTls.None;
            case UpstreamTls.Types.Mode.IstioMutual:
                if (!meshHasCa)
                {
                    errors.Add($"{path}.tls.mode", "ISTIO_MUTUAL needs the mesh CA's trust bundle, which this snapshot does not carry");
                    return L4UpstreamTls.None;
                }

                return new L4UpstreamTls { Mode = L4TlsMode.IstioMutual, AllEndpoints = true, SubjectAltNames = [.. tls.SubjectAltNames.Where(n => n.Length > 0)] };
        }

        X509Certificate2Collection? roots = null;
        if (tls.CaCertificatesPem.Length > 0)
        {
            roots = [];
            try
            {
                roots.ImportFromPem(tls.CaCertificatesPem);
            }
            catch (CryptographicException ex)
            {
                errors.Add($"{path}.tls.ca_certificates_pem", $"not a PEM certificate bundle ({ex.Message})");
            }

            if (roots.Count == 0)
            {
                errors.Add($"{path}.tls.ca_certificates_pem", "holds no PEM certificate");
            }
        }

        X509Certificate2? client = null;
        if (tls.Mode == UpstreamTls.Types.Mode.Mutual)
        {
            if (tls.ClientCertificatePem.Length == 0 || tls.PrivateKeyPem.Length == 0)
            {
                errors.Add($"{path}.tls", "MUTUAL needs a client certificate and private key (credentialName, or clientCertificate and privateKey)");
            }
            else
            {
                try
                {
                    client = X509Certificate2.CreateFromPem(tls.ClientCertificatePem, tls.PrivateKeyPem);
                }
                catch (Exception ex) when (ex is CryptographicException or ArgumentException)
                {
                    errors.Add($"{path}.tls.client_certificate_pem", $"the client certificate or its key is unreadable ({ex.Message})");
                }
            }
        }

        return new L4UpstreamTls
        {
            Mode = L4TlsMode.Originate,
            Sni = string.IsNullOrEmpty(tls.Sni) ? null : tls.Sni,
            SubjectAltNames = [.. tls.SubjectAltNames.Where(n => n.Length > 0)],
            Roots = roots,
            ClientCertificate = client,
            InsecureSkipVerify = tls.InsecureSkipVerify,
        };
    }
}
