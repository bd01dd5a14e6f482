using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Mesh.ControlPlane.Identity;
using Mesh.ControlPlane.Security;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Security.Certificates;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Identity;

/// <summary>
/// The mesh CA behind the CSR API, over real gRPC: who may get which certificate, what the
/// certificate says, and how the root is kept (generated and persisted, or plugged in).
/// </summary>
public sealed class CertificateAuthorityTests
{
    private const string Reviews = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";

    [Fact]
    public async Task A_workload_gets_a_24h_SPIFFE_certificate_for_its_own_identity()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        using var client = new CsrClient(controlPlane.GrpcUri);

        var response = await client.SignAsync(CsrClient.Csr([Reviews]), SecureMesh.Token("bookinfo-reviews"));

        using var leaf = X509Certificate2.CreateFromPem(response.CertChainPem[0]);
        Assert.Single(response.CertChainPem); // a self-signed root signs directly
        Assert.Equal(Reviews, SpiffeIdentity.From(leaf)!.Uri);
        Assert.Equal("", leaf.Subject);
        Assert.Equal(TimeSpan.FromHours(24), leaf.NotAfter - leaf.NotBefore - TimeSpan.FromMinutes(1));
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var root = X509Certificate2.CreateFromPem(Assert.Single(response.TrustBundlePem));
        Assert.True(Chains(leaf, root));
    }

    [Fact]
    public async Task The_CA_refuses_requests_without_a_valid_credential()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        using var client = new CsrClient(controlPlane.GrpcUri);
        var csr = CsrClient.Csr([Reviews]);
        var foreignToken = BootstrapToken.Mint("another-control-plane-key-0123456789"u8, "default", "bookinfo-reviews", null, DateTimeOffset.UtcNow);
        var expiredToken = BootstrapToken.Mint(SecureMesh.BootstrapKey, "default", "bookinfo-reviews", null, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1));

        foreach (var (token, reason) in new (string?, string)[]
        {
            (null, "a bootstrap token is required"),
            ("not-a-token", "not a JWT"),
            (foreignToken, "signature does not verify"),
            (expiredToken, "expired"),
        })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(csr, token));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task One_workloads_credential_cannot_obtain_another_workloads_identity()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        using var client = new CsrClient(controlPlane.GrpcUri);
        var reviewsToken = SecureMesh.Token("bookinfo-reviews");

        foreach (var identity in new[]
        {
            "spiffe://cluster.local/ns/default/sa/bookinfo-productpage",
            "spiffe://cluster.local/ns/other/sa/bookinfo-reviews",
            "spiffe://evil.example/ns/default/sa/bookinfo-reviews",
        })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(CsrClient.Csr([identity]), reviewsToken));
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains($"entitles the caller to {Reviews}, not {identity}", error.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("no SAN", new string[0], new string[0], "has no subjectAltName")]
    [InlineData("two identities", new[] { Reviews, "spiffe://cluster.local/ns/default/sa/x" }, new string[0], "it has 2 URI")]
    [InlineData("an extra DNS name", new[] { Reviews }, new[] { "reviews.default.svc" }, "1 other name")]
    public async Task Malformed_requests_are_invalid_arguments(string description, string[] uris, string[] dnsNames, string expected)
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        using var client = new CsrClient(controlPlane.GrpcUri);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(CsrClient.Csr(uris, dnsNames), SecureMesh.Token("bookinfo-reviews")));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(description));
        var garbage = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", SecureMesh.Token("bookinfo-reviews")));
        Assert.Equal(StatusCode.InvalidArgument, garbage.StatusCode);
    }

    [Fact]
    public async Task Requested_lifetimes_are_honoured_up_to_the_maximum()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?> { ["ControlPlane:Ca:MaxCertificateTtl"] = "2.00:00:00" });
        using var client = new CsrClient(controlPlane.GrpcUri);
        var token = SecureMesh.Token("bookinfo-reviews");

        using var shortLived = X509Certificate2.CreateFromPem((await client.SignAsync(CsrClient.Csr([Reviews]), token, validitySeconds: 600)).CertChainPem[0]);
        using var capped = X509Certificate2.CreateFromPem((await client.SignAsync(CsrClient.Csr([Reviews]), token, validitySeconds: 30 * 86400)).CertChainPem[0]);

        Assert.Equal(TimeSpan.FromMinutes(10), shortLived.NotAfter - shortLived.NotBefore - TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromDays(2), capped.NotAfter - capped.NotBefore - TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task The_generated_root_is_persisted_owner_only_and_reused_after_a_restart()
    {
        var first = await SecureMesh.StartControlPlaneAsync();
        var firstRoot = first.Service<MeshCertificateAuthority>().Material.TrustBundlePem[0];
        Assert.Equal(CaSource.GeneratedSelfSigned, first.Service<MeshCertificateAuthority>().Material.Source);

        var key = Path.Combine(first.DataDirectory, "ca", CaKeyStore.RootKeyFileName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(key), StringComparison.Ordinal);

        await using var second = await first.RestartAsync();
        var ca = second.Service<MeshCertificateAuthority>().Material;
        Assert.Equal(CaSource.PersistedSelfSigned, ca.Source);
        Assert.Equal(firstRoot, ca.TrustBundlePem[0]);
    }

    [Fact]
    public async Task A_plugged_in_intermediate_CA_signs_and_its_chain_reaches_the_operators_root()
    {
        var files = Path.Combine(Path.GetTempPath(), "mesh-security-tests", Guid.NewGuid().ToString("N"));
        using var operatorRoot = TestCertificates.CreateCa("Operator Root");
        using var intermediate = TestCertificates.CreateIntermediate(operatorRoot, "Mesh Intermediate");
        using var oldRoot = TestCertificates.CreateCa("Previous Root");
        var (rootPem, _) = TestCertificates.WritePem(files, "root-cert", operatorRoot);
        var (certPem, keyPem) = TestCertificates.WritePem(files, "ca-cert", intermediate);
        var (oldPem, _) = TestCertificates.WritePem(files, "old-root", oldRoot);
        try
        {
            await using var controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?>
            {
                ["ControlPlane:Ca:CertFile"] = certPem,
                ["ControlPlane:Ca:KeyFile"] = keyPem,
                ["ControlPlane:Ca:RootCertFile"] = rootPem,
                ["ControlPlane:Ca:AdditionalTrustedRootsFile"] = oldPem,
            });
            using var client = new CsrClient(controlPlane.GrpcUri);

            var response = await client.SignAsync(CsrClient.Csr([Reviews]), SecureMesh.Token("bookinfo-reviews"));

            Assert.Equal(2, response.CertChainPem.Count);
            using var leaf = X509Certificate2.CreateFromPem(response.CertChainPem[0]);
            using var sentIntermediate = X509Certificate2.CreateFromPem(response.CertChainPem[1]);
            Assert.Equal(intermediate.Thumbprint, sentIntermediate.Thumbprint);
            Assert.Equal(intermediate.SubjectName.Name, leaf.IssuerName.Name);
            Assert.Equal(
                new[] { operatorRoot.Thumbprint, oldRoot.Thumbprint },
                response.TrustBundlePem.Select(p => X509Certificate2.CreateFromPem(p).Thumbprint));
            Assert.True(Chains(leaf, operatorRoot, sentIntermediate));
            Assert.False(Directory.Exists(Path.Combine(controlPlane.DataDirectory, "ca")) && Directory.EnumerateFiles(Path.Combine(controlPlane.DataDirectory, "ca")).Any());

            // Sidecars with certificates of the intermediate verify each other through the operator's root.
            await using var reviews = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("reviews"));
            await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = ["reviews"] });
            await productpage.WaitForEndpointsAsync("reviews");
            using var http = TestHttp.CreateClient(pooled: false);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(productpage.Outbound("reviews"))).StatusCode);
            Assert.Contains("URI=" + productpage.SpiffeId, reviews.App!.Last.Headers["x-forwarded-client-cert"], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    [Fact]
    public async Task A_plug_in_certificate_that_does_not_chain_to_its_root_is_reported_and_nothing_is_signed()
    {
        var files = Path.Combine(Path.GetTempPath(), "mesh-security-tests", Guid.NewGuid().ToString("N"));
        using var someRoot = TestCertificates.CreateCa("Some Root");
        using var otherRoot = TestCertificates.CreateCa("Other Root");
        using var intermediate = TestCertificates.CreateIntermediate(otherRoot, "Mesh Intermediate");
        var (rootPem, _) = TestCertificates.WritePem(files, "root-cert", someRoot);
        var (certPem, keyPem) = TestCertificates.WritePem(files, "ca-cert", intermediate);
        try
        {
            await using var controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?>
            {
                ["ControlPlane:Ca:CertFile"] = certPem,
                ["ControlPlane:Ca:KeyFile"] = keyPem,
                ["ControlPlane:Ca:RootCertFile"] = rootPem,
            });
            using var client = new CsrClient(controlPlane.GrpcUri);

            var loading = Assert.Throws<InvalidOperationException>(() => controlPlane.Service<MeshCertificateAuthority>().Material);
            Assert.Contains("does not chain to the configured root", loading.Message, StringComparison.Ordinal);
            var error = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(CsrClient.Csr([Reviews]), SecureMesh.Token("bookinfo-reviews")));
            Assert.Contains("does not chain to the configured root", error.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 root, params X509Certificate2[] intermediates)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
