using System.Net;
using System.Text.RegularExpressions;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Authorization;

/// <summary>
/// Bookinfo's ratings service and two meshed callers (reviews and productpage, each with its own
/// service account), started once for the authorization tests; each test applies its policies
/// with <see cref="ApplyAsync"/> and removes them when done.
/// </summary>
public sealed partial class AuthorizationMesh : IAsyncLifetime
{
    public TestControlPlane ControlPlane { get; private set; } = null!;

    public TestWorkload Ratings { get; private set; } = null!;

    public TestWorkload Reviews { get; private set; } = null!;

    public TestWorkload ProductPage { get; private set; } = null!;

    public HttpClient Client { get; } = TestHttp.CreateClient(pooled: false);

    public async Task InitializeAsync()
    {
        ControlPlane = await SecureMesh.StartControlPlaneAsync();
        Ratings = await TestWorkload.StartAsync(ControlPlane, new WorkloadSpec("ratings"));
        Reviews = await TestWorkload.StartAsync(ControlPlane, new WorkloadSpec("reviews") { Upstreams = ["ratings"] });
        ProductPage = await TestWorkload.StartAsync(ControlPlane, new WorkloadSpec("productpage") { Upstreams = ["ratings"] });
        await Reviews.WaitForEndpointsAsync("ratings");
        await ProductPage.WaitForEndpointsAsync("ratings");
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await ProductPage.DisposeAsync();
        await Reviews.DisposeAsync();
        await Ratings.DisposeAsync();
        await ControlPlane.DisposeAsync();
    }

    /// <summary>Applies policies and waits until ratings' sidecar enforces exactly them; dispose to remove them again.</summary>
    /// <param name="enforcedByRatings">The policies (<c>name.namespace</c>) that select ratings; all of them by default.</param>
    public async Task<IAsyncDisposable> ApplyAsync(string yaml, params string[] enforcedByRatings)
    {
        var names = enforcedByRatings.Length > 0
            ? enforcedByRatings.Order().ToList()
            : NameOf().Matches(yaml).Select(m => $"{m.Groups[1].Value}.{m.Groups[2].Value}").Order().ToList();
        await ControlPlane.ApplyAsync(yaml);
        await Ratings.WaitForSnapshotAsync($"policies {string.Join(", ", names)}", s => s.Inbound.Authorization.Select(a => a.Name).Concat(s.Inbound.JwtRules.Select(j => j.Policy)).Distinct().Order().SequenceEqual(names));
        return new Applied(this, yaml);
    }

    /// <summary>Calls ratings as reviews, as productpage (both mTLS through their sidecars) and as a plaintext client.</summary>
    public async Task<(HttpStatusCode Reviews, HttpStatusCode ProductPage, HttpStatusCode Plaintext)> CallAsync(
        string path = "/ratings/1", HttpMethod? method = null, Action<HttpRequestMessage>? customize = null)
    {
        return (await SendAsync(Reviews.Outbound("ratings", path)), await SendAsync(ProductPage.Outbound("ratings", path)), await SendAsync(Ratings.Inbound(pathAndQuery: path)));

        async Task<HttpStatusCode> SendAsync(Uri uri)
        {
            using var request = new HttpRequestMessage(method ?? HttpMethod.Get, uri);
            customize?.Invoke(request);
            using var response = await Client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                Assert.Equal("RBAC: access denied", await response.Content.ReadAsStringAsync());
            }

            return response.StatusCode;
        }
    }

    [GeneratedRegex(@"metadata:\s*\n\s*name:\s*(\S+)\s*\n\s*namespace:\s*(\S+)")]
    private static partial Regex NameOf();

    private sealed class Applied(AuthorizationMesh mesh, string yaml) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await mesh.ControlPlane.DeleteAsync(yaml);
            await mesh.Ratings.WaitForSnapshotAsync("no policies", s => s.Inbound.Authorization.Count == 0 && s.Inbound.JwtRules.Count == 0);
        }
    }
}
