using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Security.Tls;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Security.Tests.Unit;

/// <summary>How a cluster's endpoints are reached: auto mTLS, DestinationRule TLS modes, and what is refused.</summary>
public sealed class UpstreamTlsPlanTests
{
    [Fact]
    public void Auto_mTLS_originates_to_meshed_endpoints_only_once_the_mesh_has_a_CA()
    {
        var cluster = Cluster(meshed: true, plain: true);
        var errors = new TranslationErrors();

        var withCa = UpstreamTlsPlan.For(cluster, meshHasCa: true, "c", errors);
        var withoutCa = UpstreamTlsPlan.For(cluster, meshHasCa: false, "c", errors);

        Assert.Equal(["https", "http"], cluster.Endpoints.Select(withCa.SchemeFor));
        Assert.Equal(["http", "http"], cluster.Endpoints.Select(withoutCa.SchemeFor));
        var metadata = new Dictionary<string, string>();
        withCa.AddMetadata(metadata);
        Assert.Equal(UpstreamTlsMetadata.IstioMutual, metadata[UpstreamTlsMetadata.Mode]);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/reviews", metadata[UpstreamTlsMetadata.SubjectAltNames]);
        var http1 = ClusterTranslator.RequestConfigFor(Protocol.Http);
        Assert.Equal(System.Net.HttpVersion.Version20, withCa.RequestConfig(Protocol.Http, http1, H2UpgradePolicy.H2UpgradeDefault).Version);
        Assert.Equal(System.Net.HttpVersion.Version20, withCa.RequestConfig(Protocol.Http, http1, H2UpgradePolicy.Upgrade).Version);
        Assert.Same(http1, withCa.RequestConfig(Protocol.Http, http1, H2UpgradePolicy.DoNotUpgrade));
        Assert.Equal(System.Net.HttpVersion.Version20, ClusterTranslator.RequestConfigFor(Protocol.Http, H2UpgradePolicy.Upgrade).Version);
        Assert.Equal(0, errors.Count);
    }

    [Theory]
    [InlineData(UpstreamTls.Types.Mode.Disable, "http", "http")]
    [InlineData(UpstreamTls.Types.Mode.IstioMutual, "https", "https")]
    [InlineData(UpstreamTls.Types.Mode.Simple, "https", "https")]
    public void DestinationRule_modes_decide_for_every_endpoint(UpstreamTls.Types.Mode mode, string meshed, string plain)
    {
        var cluster = Cluster(meshed: true, plain: true);
        cluster.Tls = new UpstreamTls { Mode = mode };
        var errors = new TranslationErrors();

        var plan = UpstreamTlsPlan.For(cluster, meshHasCa: true, "c", errors);

        Assert.Equal([meshed, plain], cluster.Endpoints.Select(plan.SchemeFor));
        Assert.Equal(0, errors.Count);
    }

    [Theory]
    [InlineData(UpstreamTls.Types.Mode.IstioMutual, false, "", "c.tls.mode: ISTIO_MUTUAL needs the mesh CA's trust bundle")]
    [InlineData(UpstreamTls.Types.Mode.Mutual, true, "", "c.tls: MUTUAL needs a client certificate and private key")]
    [InlineData(UpstreamTls.Types.Mode.Simple, true, "api.example.com", "c.tls.sni: is not supported")]
    public void Unusable_TLS_settings_are_NACKed_naming_the_field(UpstreamTls.Types.Mode mode, bool meshHasCa, string sni, string expected)
    {
        var cluster = Cluster(meshed: false, plain: true);
        cluster.Tls = new UpstreamTls { Mode = mode, Sni = sni };
        var errors = new TranslationErrors();

        UpstreamTlsPlan.For(cluster, meshHasCa, "c", errors);

        Assert.Contains(errors.All, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    private static Cluster Cluster(bool meshed, bool plain)
    {
        var cluster = new Cluster { Name = "outbound|9080||reviews.default.svc.cluster.local", Protocol = Protocol.Http };
        if (meshed)
        {
            cluster.Endpoints.Add(new Endpoint { Address = "127.0.0.1", Port = 1001, Mtls = true, Identity = "spiffe://cluster.local/ns/default/sa/reviews" });
        }

        if (plain)
        {
            cluster.Endpoints.Add(new Endpoint { Address = "127.0.0.1", Port = 1002 });
        }

        return cluster;
    }
}
