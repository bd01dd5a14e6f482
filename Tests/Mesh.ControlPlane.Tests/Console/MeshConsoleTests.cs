using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Console;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Console;

/// <summary>
/// The mesh console against a real control plane: proxies on real discovery streams report
/// admin ports of real /stats servers on 127.0.0.1; the console's overview is read over HTTP
/// without the admin token, as the page reads it.
/// </summary>
public sealed class MeshConsoleTests
{
    private static readonly Dictionary<string, string?> FastConsole = new()
    {
        ["ControlPlane:Console:PollInterval"] = "00:00:00.100",
        ["ControlPlane:Console:RateWindow"] = "00:00:00.300",
        ["ControlPlane:Console:StatsTimeout"] = "00:00:02",
        ["ControlPlane:AckTimeout"] = "00:00:00.300",
    };

    [Fact]
    public async Task Overview_turns_the_proxies_cumulative_stats_into_rates_success_and_percentiles_per_edge()
    {
        // reviews-v1's sidecar (destination side) saw 10 requests per reading (2 s), 1 of them failed,
        // all between 5 and 7.5 ms, over mTLS. productpage's sidecar reports the same hop from the
        // caller's side with other numbers (the destination's report must win) and a call to details,
        // whose proxy reports nothing (the caller's report stands in; mTLS unknown).
        await using var reviews = await StatsStub.StartAsync("reviews-v1", n =>
            [new StubEdge("destination", "productpage", "reviews-v1", 10 * n, n, 7.5)]);
        await using var productpage = await StatsStub.StartAsync("productpage", n =>
        [
            new StubEdge("source", "productpage", "reviews-v1", 1000 * n, 0, 100, "unknown"),
            new StubEdge("source", "productpage", "details-v1", 4 * n, 0, 2, "unknown"),
        ]);
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with { Settings = FastConsole });
        await using var reviewsProxy = await ConnectAsync(controlPlane, "reviews-v1", reviews.Port);
        await using var productpageProxy = await ConnectAsync(controlPlane, "productpage", productpage.Port);
        using var browser = Anonymous(controlPlane);

        // Each proxy's stats are rated once the console has two readings of it, and the two proxies
        // are polled independently: until reviews-v1 has its second reading, the hop is rated from
        // productpage's (source) report alone. Wait until the destination's report is in.
        var overview = await Poll.ForAsync("both edges, rated between two readings of each proxy (not since the proxy started)", () => OverviewAsync(browser),
            o => Edge(o, "productpage.default", "reviews-v1.default") is { } e && e["reporter"]!.GetValue<string>() == "destination"
                && e["window_requests"]!.GetValue<long>() > 0
                && e["total_requests"]!.GetValue<long>() > e["window_requests"]!.GetValue<long>()
                && Edge(o, "productpage.default", "details-v1.default") is { } d && d["window_requests"]!.GetValue<long>() > 0);

        var hop = Edge(overview, "productpage.default", "reviews-v1.default")!;
        Assert.Equal("destination", hop["reporter"]!.GetValue<string>());
        Assert.Equal(5.0, hop["requests_per_second"]!.GetValue<double>(), 3); // 10 requests per 2 s of the proxy's clock
        Assert.Equal(0.9, hop["success_rate"]!.GetValue<double>(), 3);
        Assert.Equal(6.25, hop["p50_ms"]!.GetValue<double>(), 2);              // interpolated in the (5, 7.5] bucket
        Assert.Equal(7.48, hop["p99_ms"]!.GetValue<double>(), 2);
        Assert.Equal("mutual_tls", hop["security"]!.GetValue<string>());
        Assert.Equal(["reviews.default.svc.cluster.local"], hop["services"]!.AsArray().Select(s => s!.GetValue<string>()));

        var details = Edge(overview, "productpage.default", "details-v1.default")!;
        Assert.Equal("source", details["reporter"]!.GetValue<string>());
        Assert.Equal("unknown", details["security"]!.GetValue<string>());
        Assert.Equal(2.0, details["requests_per_second"]!.GetValue<double>(), 3);
        Assert.Equal(1.0, details["success_rate"]!.GetValue<double>(), 3);

        var nodes = overview["graph"]!["nodes"]!.AsArray();
        Assert.Contains(nodes, n => n!["id"]!.GetValue<string>() == "reviews-v1.default" && n["kind"]!.GetValue<string>() == "sidecar" && n["version"]!.GetValue<string>() == "v1");
        Assert.Contains(nodes, n => n!["id"]!.GetValue<string>() == "details-v1.default" && n["kind"]!.GetValue<string>() == "workload");
    }

    [Fact]
    public async Task Proxies_show_synced_nacked_and_stale_and_why_their_stats_are_missing()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with { Settings = FastConsole });
        await using var synced = await ConnectAsync(controlPlane, "ratings-v1", adminPort: 0);
        await using var nacked = await ConnectAsync(controlPlane, "reviews-v2", adminPort: 0, ProxyAnswer.Nack);
        await using var stale = await ConnectAsync(controlPlane, "details-v1", ClosedPort(), ProxyAnswer.None);
        using var browser = Anonymous(controlPlane);

        var overview = await Poll.ForAsync("SYNCED, NACKED and STALE proxies", () => OverviewAsync(browser), o => Status(o, "ratings-v1") == "SYNCED" && Status(o, "reviews-v2") == "NACKED" && Status(o, "details-v1") == "STALE"
                && Proxy(o, "details-v1")?["stats_error"] is not null);

        Assert.Equal(AnsweringProxy.NackError, Proxy(overview, "reviews-v2")!["nack_error"]!.GetValue<string>());
        Assert.Contains("no admin port", Proxy(overview, "ratings-v1")!["stats_error"]!.GetValue<string>());
        Assert.Contains("/stats", Proxy(overview, "details-v1")!["stats_error"]!.GetValue<string>());
        Assert.Null(Proxy(overview, "ratings-v1")!["nack_error"]);
    }

    [Fact]
    public async Task Config_objects_show_their_validation_state_while_the_last_valid_config_serves()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with { Settings = FastConsole });
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.DestinationRule("reviews")))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.InvalidVirtualService("reviews"), Yaml.InvalidVirtualService("ratings")))).Status);
        using var browser = Anonymous(controlPlane);

        var config = (await OverviewAsync(browser))["config"]!;

        Assert.Equal(1, config["generation"]!.GetValue<long>());
        Assert.Contains(Yaml.InvalidPath, config["rejection"]!["errors"]![0]!.GetValue<string>());
        var objects = config["objects"]!.AsArray();
        Assert.Equal(3, objects.Count);
        var rule = Single(objects, "DestinationRule", "reviews");
        Assert.Equal("valid", rule["validation"]!.GetValue<string>());
        Assert.Equal("api", rule["source"]!.GetValue<string>());
        var changed = Single(objects, "VirtualService", "reviews");
        Assert.Equal("invalid_change", changed["validation"]!.GetValue<string>());
        Assert.Equal(1, changed["generation"]!.GetValue<long>());
        Assert.Contains(Yaml.InvalidPath, changed["errors"]![0]!.GetValue<string>());
        var refused = Single(objects, "VirtualService", "ratings");
        Assert.Equal("invalid", refused["validation"]!.GetValue<string>());
        Assert.Null(refused["generation"]);

        // A valid change clears the refusal: everything serving is valid again.
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("ratings", host: "ratings"))).Status);
        config = (await OverviewAsync(browser))["config"]!;
        Assert.Null(config["rejection"]);
        Assert.All(config["objects"]!.AsArray(), o => Assert.Equal("valid", o!["validation"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Console_is_read_only_open_on_loopback_and_needs_the_token_elsewhere()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with { Settings = FastConsole });
        using var browser = Anonymous(controlPlane);

        var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/console/console.js\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal); // nothing from a CDN

        var script = await browser.GetAsync("/console/console.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.Contains("/console/api/overview", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/console.css")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/console/secrets.json")).StatusCode);

        // Read-only: nothing but GET, and the explain question (which changes nothing). Mutations stay
        // on the admin API, which keeps requiring the token.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await browser.PostAsync(ConsoleEndpoints.OverviewPath, new StringContent("{}"))).StatusCode);
        var unknownSource = await browser.PostAsync(ConsoleEndpoints.ExplainPath, JsonContent.Create(new { from = "nobody", url = "http://reviews:9080/" }));
        Assert.Equal(HttpStatusCode.NotFound, unknownSource.StatusCode);
        Assert.Contains("nobody", await unknownSource.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A cross-site form can only send text/plain or form bodies without a preflight: refused.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await browser.PostAsync(ConsoleEndpoints.ExplainPath, new StringContent("{\"from\":\"nobody\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/api/v1/config", new StringContent(Yaml.VirtualService("reviews")))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/proxies")).StatusCode);

        // A page of another origin resolving to 127.0.0.1 (DNS rebinding) is not loopback: token required.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, ConsoleEndpoints.OverviewPath);
        rebound.Headers.Host = "console.attacker.invalid";
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(rebound)).StatusCode);
        using var reboundExplain = new HttpRequestMessage(HttpMethod.Post, ConsoleEndpoints.ExplainPath) { Content = JsonContent.Create(new { from = "nobody", url = "http://reviews:9080/" }) };
        reboundExplain.Headers.Host = "console.attacker.invalid";
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(reboundExplain)).StatusCode);
        using var withToken = new HttpRequestMessage(HttpMethod.Get, ConsoleEndpoints.OverviewPath);
        withToken.Headers.Host = "console.attacker.invalid";
        withToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestControlPlaneOptions.DefaultAdminToken);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(withToken)).StatusCode);
    }

    private static Task<TestProxy> ConnectAsync(TestControlPlane controlPlane, string id, int adminPort, ProxyAnswer answer = ProxyAnswer.Ack) =>
        AnsweringProxy.ConnectAsync(controlPlane, id, answer, n => n.AdminPort = (uint)adminPort);

    private static HttpClient Anonymous(TestControlPlane controlPlane) =>
        new() { BaseAddress = controlPlane.AdminUri, Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<JsonNode> OverviewAsync(HttpClient browser)
    {
        var response = await browser.GetAsync(ConsoleEndpoints.OverviewPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static JsonNode? Edge(JsonNode overview, string source, string destination) =>
        overview["graph"]!["edges"]!.AsArray().FirstOrDefault(e => e!["source"]!.GetValue<string>() == source && e["destination"]!.GetValue<string>() == destination);

    private static JsonNode? Proxy(JsonNode overview, string id) =>
        overview["proxies"]!.AsArray().FirstOrDefault(p => p!["id"]!.GetValue<string>() == id);

    private static string? Status(JsonNode overview, string id) => Proxy(overview, id)?["status"]!.GetValue<string>();

    private static JsonNode Single(JsonArray objects, string kind, string name) =>
        objects.Single(o => o!["kind"]!.GetValue<string>() == kind && o["name"]!.GetValue<string>() == name)!;

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
