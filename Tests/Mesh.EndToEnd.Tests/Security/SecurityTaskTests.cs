using System.Collections.Concurrent;
using System.Net;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Security;

/// <summary>
/// Istio's security tasks on the AppHost's Bookinfo: the mTLS migration (PERMISSIVE → STRICT
/// while traffic flows) and HTTP authorization by the callers' SPIFFE identities.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class SecurityTaskTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan SyncTimeout = Poll.DefaultBudget;

    [Fact]
    public async Task Mutual_TLS_migration_from_PERMISSIVE_to_STRICT_fails_no_request()
    {
        var reviewsInbound = await SidecarInbound.UrlAsync(mesh, "reviews-v1-sidecar");
        using var plaintext = SidecarInbound.PlaintextClient();

        // PERMISSIVE (the default): a client without a certificate still gets through. (Waited for:
        // a previous test's STRICT may still be on its way out.)
        await SidecarInbound.WaitUntilPlaintextServedAsync(mesh, "reviews-v1-sidecar", "/reviews/0", SyncTimeout);

        var failures = new ConcurrentQueue<string>();
        var pages = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var html = await BookinfoPage.FetchAsync(mesh.Gateway);
                    if (html.Contains(BookinfoPage.ReviewsError, StringComparison.Ordinal) || html.Contains(BookinfoPage.DetailsError, StringComparison.Ordinal))
                    {
                        failures.Enqueue("the page shows an upstream error");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }

                Interlocked.Increment(ref pages);
            }
        });

        await Poll.UntilAsync("page loads before the migration", () => Volatile.Read(ref pages) >= 5, budget: TimeSpan.FromSeconds(30));
        await using (var strict = await mesh.ApplyAsync(await File.ReadAllTextAsync(SecuritySample("peer-authentication-strict.yaml"))))
        {
            foreach (var proxy in Sidecars)
            {
                await mesh.Admin.WaitForProxySyncedAsync(proxy, strict.Change!.Generation, SyncTimeout);
            }

            var atStrict = Volatile.Read(ref pages);
            await Poll.UntilAsync("page loads under STRICT", () => Volatile.Read(ref pages) >= atStrict + 10, budget: TimeSpan.FromSeconds(30));

            // STRICT: the same plaintext client is refused; the mesh (gateway and sidecars) never noticed.
            await Assert.ThrowsAsync<HttpRequestException>(() => plaintext.GetAsync(new Uri(reviewsInbound, "/reviews/0")));
            await stop.CancelAsync();
            await load;
        }

        // Leave the mesh PERMISSIVE for the next test.
        await SidecarInbound.WaitUntilPlaintextServedAsync(mesh, "reviews-v1-sidecar", "/reviews/0", SyncTimeout);
        output.WriteLine($"{pages} page loads through the gateway across the migration, {failures.Count} failed");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Only_productpage_reads_reviews_and_only_reviews_reads_ratings()
    {
        await using (await mesh.ApplyAsync(await File.ReadAllTextAsync(SecuritySample("authorization-allow-nothing.yaml"))))
        {
            // allow-nothing: even the product page answers RBAC: access denied.
            await Poll.ForAsync("allow-nothing enforced at productpage", async ct =>
            {
                using var response = await mesh.Gateway.GetAsync("/productpage", ct);
                return response.StatusCode == HttpStatusCode.Forbidden && await response.Content.ReadAsStringAsync(ct) == "RBAC: access denied" ? "" : null;
            }, budget: SyncTimeout);

            await using var viewers = await mesh.ApplyAsync(await File.ReadAllTextAsync(SecuritySample("authorization-bookinfo-viewers.yaml")));
            foreach (var proxy in Sidecars)
            {
                await mesh.Admin.WaitForProxySyncedAsync(proxy, viewers.Change!.Generation, SyncTimeout);
            }

            // productpage → details and reviews → ratings (gRPC) are allowed: the full page with stars.
            var seen = new SortedSet<string>(StringComparer.Ordinal);
            var stars = await Poll.ForAsync(
                "a page with ratings (reviews v2 or v3)",
                async ct =>
                {
                    string html;
                    try
                    {
                        html = await BookinfoPage.FetchAsync(mesh.Gateway, ct);
                    }
                    catch (HttpRequestException e)
                    {
                        seen.Add(e.Message);
                        throw;
                    }

                    Assert.DoesNotContain(BookinfoPage.DetailsError, html, StringComparison.Ordinal);
                    Assert.DoesNotContain(BookinfoPage.ReviewsError, html, StringComparison.Ordinal);
                    seen.Add($"{BookinfoPage.ReviewsServedBy(html)}{(html.Contains(BookinfoPage.RatingsError, StringComparison.Ordinal) ? " without ratings" : "")}");
                    return BookinfoPage.StarsColor(html);
                },
                () => $"pages served by {string.Join(", ", seen)}",
                budget: SyncTimeout);
            output.WriteLine($"page with {stars} stars");

            // productpage itself may not read ratings (its API calls ratings directly): ratings answers 403.
            using var ratingsViaProductPage = await mesh.ProductPage.GetAsync("/api/v1/products/0/ratings");
            Assert.NotEqual(HttpStatusCode.OK, ratingsViaProductPage.StatusCode);

            // Nor may a caller without an identity read reviews or ratings.
            using var plaintext = SidecarInbound.PlaintextClient();
            foreach (var (sidecar, path) in new[] { ("reviews-v2-sidecar", "/reviews/0"), ("ratings-sidecar", "/ratings/0") })
            {
                using var response = await plaintext.GetAsync(new Uri(await SidecarInbound.UrlAsync(mesh, sidecar), path));
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal("RBAC: access denied", await response.Content.ReadAsStringAsync());
            }
        }

        // The policies are gone from every sidecar before the next test runs.
        foreach (var (sidecar, path) in new[] { ("productpage-sidecar", "/"), ("details-sidecar-0", "/details/0"), ("details-sidecar-1", "/details/0"), ("reviews-v1-sidecar", "/reviews/0"), ("reviews-v2-sidecar", "/reviews/0"), ("reviews-v3-sidecar", "/reviews/0"), ("ratings-sidecar", "/ratings/0") })
        {
            await SidecarInbound.WaitUntilPlaintextServedAsync(mesh, sidecar, path, SyncTimeout);
        }
    }

    /// <summary>The sidecars' proxy ids: inbound policies change their snapshots, not the gateway's.</summary>
    // Bookinfo's sidecars: the policies of these tasks select them (not the gateway, nor the ext-authz
    // authorizer of the External Authorization task, whose snapshot they need not change).
    // Bookinfo's sidecars: the tasks' policies select them. The others (ext-authz, tcp-echo) get no
    // push for a policy that leaves their snapshot unchanged, so they never report its generation.
    private IEnumerable<string> Sidecars => mesh.ProxyIds.Where(p => !p.Contains("gateway", StringComparison.Ordinal) && p != "ext-authz" && !p.StartsWith("tcp-echo", StringComparison.Ordinal));

    private static string SecuritySample(string file) => Path.Combine(MeshAppFixture.RepositoryRoot, "samples", "bookinfo", "security", file);
}
