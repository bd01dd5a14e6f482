using System.Net;
using Grpc.Core;
using Mesh.Contracts.Identity;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Telemetry;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Telemetry;

/// <summary>The control plane's own metrics, recorded by a real control plane serving real gRPC streams and requests.</summary>
public sealed class ControlPlaneMetricsTests
{
    [Fact]
    public async Task Discovery_counts_connected_proxies_pushes_and_nacks_and_times_a_change_until_the_ack()
    {
        await using var controlPlane = await TestControlPlane.StartAsync();
        using var metrics = new MetricsRecorder(controlPlane.Service<ControlPlaneMetrics>().Meter);
        await using var proxy = await controlPlane.Proxy("reviews-v1").ConnectAsync();
        await using var gateway = await controlPlane.Proxy("ingressgateway", n => n.Mode = Contracts.Snapshots.ProxyMode.Gateway).ConnectAsync();
        await proxy.AckAsync((await proxy.NextAsync()).Version);
        await gateway.NextAsync();

        var connected = metrics.Observe("pilot_xds");
        Assert.Contains(connected, m => m.Value == 1 && m.Tags["mode"] == "sidecar");
        Assert.Contains(connected, m => m.Value == 1 && m.Tags["mode"] == "gateway");
        Assert.True(metrics.Sum("pilot_xds_pushes", "mode", "sidecar") >= 1);
        Assert.True(metrics.Sum("pilot_xds_pushes", "mode", "gateway") >= 1);

        // A config change reaches the proxy and is acknowledged: one convergence measurement
        // (snapshots that follow registrations are acknowledged too, and may add their own).
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"))).Status);
        var changed = await proxy.NextAsync();
        while (!changed.VirtualHosts.Any(v => v.Name == "VirtualService/default/reviews"))
        {
            await proxy.AckAsync(changed.Version);
            changed = await proxy.NextAsync();
        }

        await proxy.AckAsync(changed.Version);
        var convergence = await Eventually.GetAsync(() => metrics.Of("pilot_proxy_convergence_time"), m => m.Count >= 1, because: "push latency recorded on the ACK");
        Assert.All(convergence, m => Assert.True(m.Value >= 0 && m.Tags["mode"] == "sidecar"));

        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("ratings", host: "ratings"))).Status);
        await proxy.NackAsync((await proxy.NextAsync()).Version, "route ratings: unknown cluster");
        await Eventually.GetAsync(() => metrics.Sum("pilot_total_xds_rejects", "mode", "sidecar"), n => n == 1, because: "the NACK counted");

        await proxy.DisposeAsync();
        await Eventually.GetAsync(() => metrics.Observe("pilot_xds"), m => m.Any(x => x.Tags["mode"] == "sidecar" && x.Value == 0), because: "the proxy disconnected");
    }

    [Fact]
    public async Task Refused_config_changes_and_their_errors_are_counted()
    {
        await using var controlPlane = await TestControlPlane.StartAsync();
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
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            Settings = new Dictionary<string, string?> { ["ControlPlane:Security:BootstrapKey"] = Key },
        });
        using var metrics = new MetricsRecorder(controlPlane.Service<ControlPlaneMetrics>().Meter);
        var client = new MeshCertificates.MeshCertificatesClient(controlPlane.Channel);
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
