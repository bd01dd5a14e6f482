using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Mesh.EndToEnd.Tests.Infrastructure;
using Mesh.EndToEnd.Tests.Security;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Gateway;

/// <summary>
/// The ingress gateway of the running AppHost: /productpage over HTTP and over HTTPS with the
/// certificate the control plane generated for mesh-config's <c>bookinfo-credential</c>, and
/// still both once the mesh requires mTLS (the gateway reaches productpage's sidecar over mTLS,
/// through the same upstream client as every sidecar).
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class IngressGatewayTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private const string StrictMtls = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: istio-system
        spec:
          mtls:
            mode: STRICT
        """;

    [Fact]
    public async Task Productpage_is_served_through_the_gateway_over_http_and_https_also_under_strict_mtls()
    {
        var certificateFile = Path.Combine(mesh.DataDirectory, "credentials", "bookinfo-credential", "tls.crt");
        await Poll.UntilAsync(
            "the generated bookinfo-credential",
            _ => Task.FromResult(File.Exists(certificateFile)),
            () => $"{certificateFile} does not exist",
            budget: Poll.DefaultBudget);
        using var generated = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificateFile));
        using var https = PinnedHttpsClient(mesh.GatewayHttpsUrl, generated);
        output.WriteLine($"gateway https at {https.BaseAddress}, certificate {generated.Subject} ({generated.Thumbprint})");

        Assert.Contains("The Comedy of Errors", await BookinfoPage.FetchAsync(mesh.Gateway), StringComparison.Ordinal);
        Assert.Contains("The Comedy of Errors", await BookinfoPage.FetchAsync(https), StringComparison.Ordinal);

        await using (var strict = await mesh.ApplyAsync(StrictMtls))
        {
            // Only the sidecars' snapshots change: PeerAuthentication does not apply to the gateway,
            // which originates mTLS to meshed endpoints whatever their mode.
            await mesh.Admin.WaitForProxySyncedAsync("productpage", strict.Change!.Generation, Poll.DefaultBudget);
            using var plaintext = SidecarInbound.PlaintextClient();
            await Assert.ThrowsAsync<HttpRequestException>(async () => await plaintext.GetAsync(new Uri(await SidecarInbound.UrlAsync(mesh, "productpage-sidecar"), "/")));

            // productpage's sidecar now refuses plaintext: these only work because the gateway speaks mTLS.
            var overHttp = await BookinfoPage.FetchAsync(mesh.Gateway);
            var overHttps = await BookinfoPage.FetchAsync(https);
            Assert.DoesNotContain(BookinfoPage.DetailsError, overHttp, StringComparison.Ordinal);
            Assert.Contains("The Comedy of Errors", overHttps, StringComparison.Ordinal);
        }

        // Leave the mesh PERMISSIVE for the next test.
        await SidecarInbound.WaitUntilPlaintextServedAsync(mesh, "productpage-sidecar", "/", Poll.DefaultBudget);
    }

    /// <summary>An HTTPS client that accepts exactly the expected certificate for the host it connects to (SNI "localhost").</summary>
    private static HttpClient PinnedHttpsClient(Uri baseAddress, X509Certificate2 expected) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                presented is not null
                && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                && presented.GetRawCertData().AsSpan().SequenceEqual(expected.RawData),
        },
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
