using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// Proxies' Kubernetes credential: a projected service account token checked with TokenReview
/// (audience, service account user, pod binding), on a real discovery stream in Kubernetes mode.
/// </summary>
public sealed class KubernetesCredentialTests
{
    private const string Audience = "mesh-controlplane";

    [Fact]
    public async Task A_proxy_with_its_own_service_account_token_gets_its_snapshot()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.AddToken("reviews-token", "system:serviceaccount:default:bookinfo-reviews", [Audience], podName: "reviews-v1-abc");
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        var snapshot = await ConnectAsync(controlPlane, "reviews-token", Node("reviews-v1-abc", "bookinfo-reviews"));
        Assert.False(string.IsNullOrEmpty(snapshot.Version));
    }

    [Theory]
    [InlineData(null, "bookinfo-reviews", StatusCode.Unauthenticated, "a Kubernetes service account token is required")]
    [InlineData("unknown-token", "bookinfo-reviews", StatusCode.Unauthenticated, "not accepted by the API server's TokenReview")]
    [InlineData("other-audience", "bookinfo-reviews", StatusCode.Unauthenticated, "not accepted by the API server's TokenReview")]
    [InlineData("user-token", "bookinfo-reviews", StatusCode.Unauthenticated, "not accepted by the API server's TokenReview")]
    [InlineData("reviews-token", "bookinfo-ratings", StatusCode.PermissionDenied, "the token belongs to default/bookinfo-reviews, but the node claims default/bookinfo-ratings")]
    public async Task A_proxy_without_a_matching_token_is_refused(string? token, string serviceAccount, StatusCode code, string reason)
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.AddToken("reviews-token", "system:serviceaccount:default:bookinfo-reviews", [Audience]);
        api.AddToken("other-audience", "system:serviceaccount:default:bookinfo-reviews", ["https://kubernetes.default.svc"]);
        api.AddToken("user-token", "jane@example.com", [Audience]);
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        var error = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(controlPlane, token, Node("reviews-v1-abc", serviceAccount)));
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(reason, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_bound_token_cannot_register_another_pod()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.AddToken("reviews-token", "system:serviceaccount:default:bookinfo-reviews", [Audience], podName: "reviews-v1-abc");
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        var error = await Assert.ThrowsAsync<RpcException>(() => ConnectAsync(controlPlane, "reviews-token", Node("reviews-v2-xyz", "bookinfo-reviews")));
        Assert.Contains("bound to pod reviews-v1-abc", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reviews_are_cached_briefly_and_expose_the_workload_identity()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.AddToken("reviews-token", "system:serviceaccount:bookinfo:bookinfo-reviews", [Audience], podName: "reviews-v1-abc");
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        var reviewer = controlPlane.App.Services.GetRequiredService<KubernetesTokenReviewer>();

        var identity = await reviewer.ReviewAsync("reviews-token", CancellationToken.None);
        Assert.Equal(new KubernetesTokenIdentity("bookinfo", "bookinfo-reviews", "reviews-v1-abc", null), identity);
        Assert.Equal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews", identity!.SpiffeId("cluster.local"));
        await reviewer.ReviewAsync("reviews-token", CancellationToken.None);
        Assert.Equal(1, api.TokenReviews);
        Assert.Null(await reviewer.ReviewAsync("forged", CancellationToken.None));
    }

    private static Node Node(string id, string serviceAccount) =>
        TestProxy.NodeFor(id, n =>
        {
            n.ServiceAccount = serviceAccount;
            n.Labels["app"] = "reviews";
        });

    private static async Task<ProxySnapshot> ConnectAsync(TestControlPlane controlPlane, string? token, Node node)
    {
        var headers = new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var call = controlPlane.Discovery.StreamSnapshots(headers, cancellationToken: timeout.Token);
        await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = node } });
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        return call.ResponseStream.Current;
    }
}
