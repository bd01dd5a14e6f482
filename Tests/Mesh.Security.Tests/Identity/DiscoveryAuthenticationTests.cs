using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Identity;

/// <summary>
/// The discovery stream with a bootstrap key configured: a proxy gets configuration only for the
/// workload its credential names, so one workload's token cannot register as another.
/// </summary>
public sealed class DiscoveryAuthenticationTests
{
    [Fact]
    public async Task A_proxy_with_its_own_token_gets_its_snapshot_with_the_trust_bundle()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();

        var snapshot = await ConnectAsync(controlPlane.GrpcUri, SecureMesh.Token("bookinfo-reviews", "reviews-v1"), Node("reviews-v1", "bookinfo-reviews"));

        Assert.Single(snapshot.TrustBundlePem);
        Assert.Equal("cluster.local", snapshot.TrustDomain);
    }

    // As the CA answers: Unauthenticated for a missing or invalid credential, PermissionDenied for a
    // valid one that does not entitle its holder to the node it claims.
    [Theory]
    [InlineData(null, "reviews-v1", "bookinfo-reviews", StatusCode.Unauthenticated, "a bootstrap token is required")]
    [InlineData("garbage", "reviews-v1", "bookinfo-reviews", StatusCode.Unauthenticated, "not a JWT")]
    [InlineData("reviews", "ratings-v1", "bookinfo-ratings", StatusCode.PermissionDenied, "the credential belongs to default/bookinfo-reviews, but the node claims default/bookinfo-ratings")]
    [InlineData("reviews", "reviews-v2", "bookinfo-reviews", StatusCode.PermissionDenied, "the credential is bound to node reviews-v1, but the node id is reviews-v2")]
    public async Task A_proxy_without_a_matching_credential_is_refused(string? token, string nodeId, string serviceAccount, StatusCode code, string reason)
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        var credential = token == "reviews" ? SecureMesh.Token("bookinfo-reviews", "reviews-v1") : token;

        var error = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(controlPlane.GrpcUri, credential, Node(nodeId, serviceAccount)));

        Assert.Equal(code, error.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_bootstrap_key_the_stream_is_open_but_no_certificate_is_issued()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?> { ["ControlPlane:Security:BootstrapKey"] = null });
        using var csr = new CsrClient(controlPlane.GrpcUri);

        var snapshot = await ConnectAsync(controlPlane.GrpcUri, null, Node("reviews-v1", "bookinfo-reviews"));
        var error = await Assert.ThrowsAsync<RpcException>(() => csr.SignAsync(CsrClient.Csr(["spiffe://cluster.local/ns/default/sa/bookinfo-reviews"]), SecureMesh.Token("bookinfo-reviews")));

        Assert.NotEmpty(snapshot.Version);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("no bootstrap key", error.Status.Detail, StringComparison.Ordinal);
    }

    private static Node Node(string id, string serviceAccount) => new()
    {
        Id = id,
        Workload = id,
        Namespace = "default",
        ServiceAccount = serviceAccount,
        Mode = ProxyMode.Sidecar,
        Address = "127.0.0.1",
        Labels = { ["app"] = id.Split('-')[0], ["version"] = "v1" },
    };

    private static async Task<ProxySnapshot> ConnectAsync(Uri grpc, string? token, Node node)
    {
        using var channel = GrpcChannel.ForAddress(grpc);
        var headers = new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var call = new MeshDiscovery.MeshDiscoveryClient(channel).StreamSnapshots(headers, cancellationToken: timeout.Token);
        await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = node } });
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        return call.ResponseStream.Current;
    }
}
