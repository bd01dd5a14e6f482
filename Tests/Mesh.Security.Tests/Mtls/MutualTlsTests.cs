using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Identity;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Security.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Security.Tests.Mtls;

/// <summary>
/// Mesh mTLS between real sidecars on 127.0.0.1: auto mTLS with the CA's SPIFFE certificates,
/// PeerAuthentication PERMISSIVE / STRICT / DISABLE on the inbound port, and what a client
/// outside the mesh (plaintext, a foreign CA, an expired certificate) gets.
/// </summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private const string StrictMesh = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: istio-system
        spec:
          mtls:
            mode: STRICT
        """;

    private TestControlPlane _controlPlane = null!;
    private TestWorkload _reviews = null!;
    private TestWorkload _productpage = null!;
    private readonly InboundRecorder _reviewsInbound = new();

    public async Task InitializeAsync()
    {
        _controlPlane = await SecureMesh.StartControlPlaneAsync();
        _reviews = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("reviews")
        {
            ConfigureServices = services => services.AddSingleton<IMeshRequestObserver>(_reviewsInbound),
        });
        _productpage = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("productpage") { Upstreams = ["reviews"] });
        await _productpage.WaitForEndpointsAsync("reviews");
    }

    public async Task DisposeAsync()
    {
        await _productpage.DisposeAsync();
        await _reviews.DisposeAsync();
        await _controlPlane.DisposeAsync();
    }

    [Fact]
    public async Task Sidecars_talk_mutual_TLS_over_HTTP2_and_the_app_sees_the_callers_SPIFFE_identity()
    {
        using var client = TestHttp.CreateClient(pooled: false);

        var response = await client.GetAsync(_productpage.Outbound("reviews", "/reviews/1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("reviews-v1", await response.Content.ReadAsStringAsync());
        var xfcc = _reviews.App!.Last.Headers["x-forwarded-client-cert"];
        Assert.Contains("URI=spiffe://cluster.local/ns/default/sa/bookinfo-productpage", xfcc, StringComparison.Ordinal);
        Assert.StartsWith("By=spiffe://cluster.local/ns/default/sa/bookinfo-reviews;Hash=", xfcc, StringComparison.Ordinal);
        var seen = _reviewsInbound.Requests.Last();
        Assert.Equal("HTTP/2", seen.Protocol);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-productpage", seen.Peer);

        // The caller was told whom to expect, and the certificates are the CA's SPIFFE certificates.
        var endpoint = _productpage.Snapshot!.Clusters.Single(c => c.Name == "outbound|9080||reviews.default.svc.cluster.local").Endpoints.Single();
        Assert.True(endpoint.Mtls);
        Assert.Equal(_reviews.SpiffeId, endpoint.Identity);
        Assert.Equal(_reviews.SpiffeId, _reviews.Identity.Certificate!.Identity.Uri);
        Assert.Equal(_controlPlane.Service<MeshCertificateAuthority>().Material.TrustBundlePem, _reviews.Snapshot!.TrustBundlePem);
    }

    [Fact]
    public async Task Permissive_accepts_plaintext_and_mutual_TLS_on_the_same_port_and_strips_spoofed_identity_headers()
    {
        using var plain = TestHttp.CreateClient(pooled: false);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, _reviews.Inbound(pathAndQuery: "/reviews/2"));
        spoofed.Headers.Add("x-forwarded-client-cert", "By=x;URI=spiffe://cluster.local/ns/default/sa/bookinfo-productpage");

        var response = await plain.SendAsync(spoofed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(_reviews.App!.Last.Headers.ContainsKey("x-forwarded-client-cert"));
        Assert.Null(_reviewsInbound.Requests.Last().Peer);

        var meshed = await plain.GetAsync(_productpage.Outbound("reviews", "/reviews/3"));
        Assert.Equal(HttpStatusCode.OK, meshed.StatusCode);
        Assert.Contains("URI=spiffe://cluster.local/ns/default/sa/bookinfo-productpage", _reviews.App!.Last.Headers["x-forwarded-client-cert"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_cannot_pass_an_identity_header_through_its_own_sidecar()
    {
        using var client = TestHttp.CreateClient(pooled: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, _productpage.Outbound("reviews", "/reviews/4"));
        request.Headers.Add("x-forwarded-client-cert", "URI=spiffe://cluster.local/ns/default/sa/admin");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        var xfcc = _reviews.App!.Last.Headers["x-forwarded-client-cert"];
        Assert.DoesNotContain("admin", xfcc, StringComparison.Ordinal);
        Assert.Contains("URI=spiffe://cluster.local/ns/default/sa/bookinfo-productpage", xfcc, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_refuses_plaintext_foreign_and_missing_client_certificates_but_serves_the_mesh()
    {
        await _controlPlane.ApplyAsync(StrictMesh);
        await _reviews.WaitForSnapshotAsync("STRICT", s => s.Inbound.Mtls == MtlsMode.Strict);

        using var plain = TestHttp.CreateClient(pooled: false);
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(_reviews.Inbound()));

        using var foreignCa = TestCertificates.CreateCa("not the mesh CA");
        using var impostor = TestCertificates.IssueLeaf(foreignCa, uri: _productpage.SpiffeId);
        using var foreign = TestHttp.CreateTlsClient(impostor);
        await Assert.ThrowsAsync<HttpRequestException>(() => foreign.GetAsync(_reviews.Inbound("https")));

        using var anonymous = TestHttp.CreateTlsClient(null);
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync(_reviews.Inbound("https")));

        // A certificate of the mesh CA is what the port wants: the refusals above are about the caller.
        var ca = _controlPlane.Service<MeshCertificateAuthority>().Material.SigningCertificate;
        using var meshCertificate = TestCertificates.IssueLeaf(ca, uri: "spiffe://cluster.local/ns/default/sa/tester");
        using var meshClient = TestHttp.CreateTlsClient(meshCertificate);
        Assert.Equal(HttpStatusCode.OK, (await meshClient.GetAsync(_reviews.Inbound("https"))).StatusCode);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/tester", _reviewsInbound.Requests.Last().Peer);

        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync(_productpage.Outbound("reviews", "/reviews/5"))).StatusCode);
    }

    [Fact]
    public async Task An_expired_certificate_of_the_mesh_CA_is_refused()
    {
        var ca = _controlPlane.Service<MeshCertificateAuthority>().Material.SigningCertificate;
        using var expired = TestCertificates.IssueLeaf(ca, uri: _productpage.SpiffeId, notBefore: DateTimeOffset.UtcNow.AddMinutes(-50), notAfter: DateTimeOffset.UtcNow.AddMinutes(-5));
        using var client = TestHttp.CreateTlsClient(expired);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(_reviews.Inbound("https")));
        Assert.DoesNotContain(_reviewsInbound.Requests, r => r.Peer == _productpage.SpiffeId && r.Protocol == "HTTP/1.1");
    }

    [Fact]
    public async Task A_server_whose_identity_is_not_the_expected_one_is_not_trusted()
    {
        await _controlPlane.ApplyAsync("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
              namespace: default
            spec:
              host: reviews
              trafficPolicy:
                tls:
                  mode: ISTIO_MUTUAL
                  subjectAltNames: ["spiffe://cluster.local/ns/default/sa/someone-else"]
            """);
        await _productpage.WaitForSnapshotAsync("the DestinationRule", s => s.Clusters.Any(c => c.Tls?.SubjectAltNames.Count > 0));
        using var client = TestHttp.CreateClient(pooled: false);

        var response = await client.GetAsync(_productpage.Outbound("reviews", "/reviews/6"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Port_level_DISABLE_turns_auto_mTLS_off_for_that_port()
    {
        await _controlPlane.ApplyAsync("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: reviews
              namespace: default
            spec:
              selector:
                matchLabels:
                  app: reviews
              mtls:
                mode: STRICT
              portLevelMtls:
                9080:
                  mode: DISABLE
            """);
        await _productpage.WaitForSnapshotAsync("plaintext to reviews", s => s.Clusters.Single(c => c.Name == "outbound|9080||reviews.default.svc.cluster.local").Endpoints.Single().Mtls == false);
        await _reviews.WaitForSnapshotAsync("port-level DISABLE", s => s.Inbound.PortMtls.Count == 1);
        using var client = TestHttp.CreateClient(pooled: false);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(_productpage.Outbound("reviews", "/reviews/7"))).StatusCode);
        Assert.False(_reviews.App!.Last.Headers.ContainsKey("x-forwarded-client-cert"));

        var ca = _controlPlane.Service<MeshCertificateAuthority>().Material.SigningCertificate;
        using var meshCertificate = TestCertificates.IssueLeaf(ca, uri: _productpage.SpiffeId);
        using var tls = TestHttp.CreateTlsClient(meshCertificate);
        await Assert.ThrowsAsync<HttpRequestException>(() => tls.GetAsync(_reviews.Inbound("https")));
    }

    [Fact]
    public async Task DestinationRule_DISABLE_sends_plaintext_which_a_STRICT_workload_refuses()
    {
        await _controlPlane.ApplyAsync(StrictMesh + """

            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
              namespace: default
            spec:
              host: reviews
              trafficPolicy:
                tls:
                  mode: DISABLE
            """);
        await _productpage.WaitForSnapshotAsync("the DestinationRule", s => s.Clusters.Any(c => c.Tls is not null));
        await _reviews.WaitForSnapshotAsync("STRICT", s => s.Inbound.Mtls == MtlsMode.Strict);
        using var client = TestHttp.CreateClient(pooled: false);

        var response = await client.GetAsync(_productpage.Outbound("reviews", "/reviews/8"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("upstream connect error", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
