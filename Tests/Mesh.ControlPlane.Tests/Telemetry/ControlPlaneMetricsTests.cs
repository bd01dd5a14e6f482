using System.Net;
using Grpc.Core;
using Mesh.Contracts.Identity;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Telemetry;
using Mesh.ControlPlane.Tests.Console;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Telemetry;

/// <summary>The control plane's own metrics, recorded by a real control plane serving real gRPC streams and requests.</summary>
public sealed class ControlPlaneMetricsTests
{
    [Fact]
    public async Task Discovery_counts_connected_proxies_pushes_and_nacks_and_times_a_change_until_the_ack()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        using var metrics = new MetricsRecorder(controlPlane.Service<ControlPlaneMetrics>().Meter);
        var proxy = await AnsweringProxy.ConnectAsync(controlPlane, "reviews-v1", ProxyAnswer.Ack);
        await using var gateway = await AnsweringProxy.ConnectAsync(controlPlane, "ingressgateway", ProxyAnswer.None, n => n.Mode = Contracts.Snapshots.ProxyMode.Gateway);

        await Poll.ForAsync("pushes to both proxies", () => metrics.Sum("pilot_xds_pushes", "mode", "sidecar") >= 1 && metrics.Sum("pilot_xds_pushes", "mode", "gateway") >= 1, ok => ok);
        var connected = metrics.Observe("pilot_xds");
        Assert.Contains(connected, m => m.Value == 1 && m.Tags["mode"] == "sidecar");
        Assert.Contains(connected, m => m.Value == 1 && m.Tags["mode"] == "gateway");

        // A config change reaches the proxy and its ACK ends a convergence measurement. (The first
        // snapshot of a stream answers the connect and is not measured.)
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"))).Status);
        var convergence = await Poll.ForAsync("push latency recorded on the ACK", () => metrics.Of("pilot_proxy_convergence_time"), m => m.Count >= 1);
        Assert.All(convergence, m => Assert.True(m.Value >= 0 && m.Tags["mode"] == "sidecar"));
        Assert.Empty(metrics.Of("pilot_total_xds_rejects"));

        var nacks = 0;
        await using var rejecting = await AnsweringProxy.ConnectAsync(controlPlane, "ratings-v1", ProxyAnswer.Nack, answered: () => Interlocked.Increment(ref nacks));
        await Poll.ForAsync("every NACK counted", () => metrics.Sum("pilot_total_xds_rejects", "mode", "sidecar"), n => n >= 1 && n == Volatile.Read(ref nacks));

        await proxy.DisposeAsync();
        await Poll.ForAsync("one sidecar left", () => metrics.Observe("pilot_xds"), m => m.Any(x => x.Tags["mode"] == "sidecar" && x.Value == 1));
    }

    [Fact]
    public async Task Refused_config_changes_and_their_errors_are_counted()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        using var metrics = new MetricsRecorder(controlPlane.Service<ControlPlaneMetrics>().Meter);

        Assert.Equal(HttpStatusCode.BadRequest, (await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.InvalidVirtualService("a"), Yaml.InvalidVirtualService("b")))).Status);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"))).Status);

        Assert.Equal(1, metrics.Sum("pilot_config_rejections", "source", "api apply"));
        Assert.Equal(2, metrics.Sum("pilot_config_errors", "kind", "VirtualService"));
        Assert.Single(metrics.Of("pilot_config_rejections"));
    }

    [Fact]
    public async Task The_ca_counts_the_certificates_it_issues_and_not_the_requests_it_refuses()
    {
        const string Key = "metrics-tests-bootstrap-key-0123456789";
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with
        {
            Settings = new Dictionary<string, string?> { ["ControlPlane:Security:BootstrapKey"] = Key },
        });
        using var metrics = new MetricsRecorder(controlPlane.Service<ControlPlaneMetrics>().Meter);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(controlPlane.GrpcUri);
        var client = new MeshCertificates.MeshCertificatesClient(channel);
        var token = BootstrapToken.Mint(System.Text.Encoding.UTF8.GetBytes(Key), "default", "bookinfo-reviews", null, DateTimeOffset.UtcNow);
        var csr = CsrFor("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");

        var issued = await client.CreateCertificateAsync(new CertificateRequest { CsrPem = csr }, Bearer(token));
        Assert.NotEmpty(issued.CertChainPem);
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.CreateCertificateAsync(new CertificateRequest { CsrPem = CsrFor("spiffe://cluster.local/ns/default/sa/other") }, Bearer(token)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

        Assert.Equal(1, metrics.Sum("citadel_server_success_cert_issuance_count"));
    }

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    private static string CsrFor(string uri)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            new System.Security.Cryptography.X509Certificates.X500DistinguishedName(""), key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(uri));
        request.CertificateExtensions.Add(names.Build(critical: true));
        return request.CreateSigningRequestPem();
    }
}
