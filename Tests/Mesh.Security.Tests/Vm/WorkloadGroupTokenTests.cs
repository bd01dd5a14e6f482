using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Mesh.ControlPlane.Security;
using Mesh.Security.Tests.Identity;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Vm;

/// <summary>
/// A VM's bootstrap token (what <c>meshctl workload entry configure</c> writes): issued by the
/// control plane's admin API for a WorkloadGroup, bound to the group's service account, expiring;
/// the CA signs the group's identity with it and refuses it once expired, from another control
/// plane, for another identity, or after its group is gone. Real HTTP and gRPC.
/// </summary>
public sealed class WorkloadGroupTokenTests
{
    private const string Details = "spiffe://cluster.local/ns/default/sa/bookinfo-details";

    private const string Group = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadGroup
        metadata: {name: details-vm, namespace: default}
        spec:
          metadata:
            labels: {app: details}
          template:
            serviceAccount: bookinfo-details

        """;

    [Fact]
    public async Task The_issued_token_is_bound_to_the_group_expires_and_gets_the_group_identity_from_the_CA()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await controlPlane.ApplyAsync(Group);
        using var client = new CsrClient(controlPlane.GrpcUri);

        var issued = await IssueAsync(controlPlane, "?expirationSeconds=7200");
        var token = issued["token"]!.GetValue<string>();
        Assert.Equal("bookinfo-details", issued["serviceAccount"]!.GetValue<string>());
        Assert.Equal("cluster.local", issued["trustDomain"]!.GetValue<string>());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", issued["rootCertificates"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(controlPlane.GrpcUri.ToString(), issued["discoveryAddress"]!.GetValue<string>());
        var expiresIn = issued["expiresAt"]!.GetValue<DateTimeOffset>() - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn, TimeSpan.FromMinutes(119), TimeSpan.FromMinutes(120));
        var credential = BootstrapToken.Validate(SecureMesh.BootstrapKey, token, DateTimeOffset.UtcNow).Credential!;
        Assert.Equal(new WorkloadCredential("default", "bookinfo-details", null, "details-vm"), credential);
        Assert.Equal("the bootstrap token has expired", BootstrapToken.Validate(SecureMesh.BootstrapKey, token, DateTimeOffset.UtcNow.AddHours(2)).FailureReason);

        var response = await client.SignAsync(CsrClient.Csr([Details]), token);
        Assert.NotEmpty(response.CertChainPem);

        var other = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(CsrClient.Csr(["spiffe://cluster.local/ns/default/sa/bookinfo-reviews"]), token));
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
    }

    [Fact]
    public async Task The_CA_refuses_an_expired_a_foreign_and_a_group_token_whose_group_is_gone_or_changed_account()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await controlPlane.ApplyAsync(Group);
        using var client = new CsrClient(controlPlane.GrpcUri);
        var csr = CsrClient.Csr([Details]);
        var now = DateTimeOffset.UtcNow;

        var expired = BootstrapToken.Mint(SecureMesh.BootstrapKey, "default", "bookinfo-details", null, now.AddHours(-2), now.AddHours(-1), "details-vm");
        var foreign = BootstrapToken.Mint("another-control-plane-key-0123456789"u8, "default", "bookinfo-details", null, now, now.AddHours(1), "details-vm");
        foreach (var (refusedToken, reason) in new[] { (expired, "expired"), (foreign, "signature does not verify") })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(csr, refusedToken));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Contains(reason, refused.Status.Detail, StringComparison.Ordinal);
        }

        var unknownGroup = BootstrapToken.Mint(SecureMesh.BootstrapKey, "default", "bookinfo-details", null, now, now.AddHours(1), "reviews-vm");
        var notEntitled = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(csr, unknownGroup));
        Assert.Equal(StatusCode.PermissionDenied, notEntitled.StatusCode);
        Assert.Contains("bound to WorkloadGroup default/reviews-vm, which does not exist", notEntitled.Status.Detail, StringComparison.Ordinal);

        var token = (await IssueAsync(controlPlane, ""))["token"]!.GetValue<string>();
        await controlPlane.ApplyAsync(Group.Replace("serviceAccount: bookinfo-details", "serviceAccount: bookinfo-ratings", StringComparison.Ordinal));
        notEntitled = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(csr, token));
        Assert.Equal(StatusCode.PermissionDenied, notEntitled.StatusCode);
        Assert.Contains("but the group's service account is bookinfo-ratings", notEntitled.Status.Detail, StringComparison.Ordinal);

        await controlPlane.DeleteAsync(Group);
        notEntitled = await Assert.ThrowsAsync<RpcException>(() => client.SignAsync(csr, token));
        Assert.Contains("which does not exist", notEntitled.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_are_issued_only_for_groups_the_control_plane_has_for_a_bounded_time_and_with_its_admin_token()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
            AdminToken = "admin-secret-token",
        });
        await controlPlane.ApplyAsync(Group);

        using var missing = await controlPlane.Admin.PostAsync("/api/v1/workloadgroups/default/reviews-vm/token", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("WorkloadGroup default/reviews-vm is not in the control plane's configuration", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var bad in new[] { "59", "2592001", "-1", "1h" })
        {
            using var refused = await controlPlane.Admin.PostAsync($"/api/v1/workloadgroups/default/details-vm/token?expirationSeconds={bad}", null);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using var anonymous = new HttpClient { BaseAddress = controlPlane.AdminUri };
        using var unauthorized = await anonymous.PostAsync("/api/v1/workloadgroups/default/details-vm/token", null);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    private static async Task<JsonObject> IssueAsync(TestControlPlane controlPlane, string query)
    {
        using var response = await controlPlane.Admin.PostAsync($"/api/v1/workloadgroups/default/details-vm/token{query}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }
}
