using System.Net;
using System.Text.Json.Nodes;
using Mesh.Cli.Tests.Infrastructure;
using Mesh.Testing.Workloads;

namespace Mesh.Cli.Tests;

/// <summary>
/// meshctl explain against real sidecars: every answer is checked against what the same request
/// really does through the source's sidecar (which workload answered, or the status it got).
/// </summary>
public sealed class ExplainCommandTests
{
    private const string Routing = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: default}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - name: jason
            match: [{headers: {end-user: {exact: jason}}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - name: teapot
            match: [{uri: {prefix: /teapot}}]
            fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
            route: [{destination: {host: reviews, subset: v3}}]
          - name: split
            match: [{uri: {prefix: /split}}]
            timeout: 2s
            retries: {attempts: 3, retryOn: 5xx}
            route:
            - {destination: {host: reviews, subset: v1}, weight: 80}
            - {destination: {host: reviews, subset: v3}, weight: 20}
          - name: reviews
            match: [{uri: {prefix: /reviews}}]
            route: [{destination: {host: reviews, subset: v1}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: no-secrets, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          action: DENY
          rules:
          - from: [{source: {principals: [cluster.local/ns/default/sa/nobody]}}]
          - to: [{operation: {paths: [/reviews/secret]}}]
        """;

    [Fact]
    public async Task Explain_names_the_route_and_subset_a_real_request_takes_and_why_others_did_not_match()
    {
        await using var mesh = await StartAsync();

        var jason = await ExplainJsonAsync(mesh, "-H", "end-user: jason", "http://reviews:9080/reviews/0");
        var outbound = jason["outbound"]!["result"]!;
        Assert.Equal("jason", outbound["route"]!.GetValue<string>());
        Assert.Equal("reviews.default", outbound["virtual_service"]!.GetValue<string>());
        Assert.Equal("v2", outbound["subset"]!.GetValue<string>());
        var hop = Assert.Single(jason["inbound"]!.AsArray())!;
        Assert.Equal("reviews-v2", hop["workload"]!.GetValue<string>());
        Assert.Equal("ISTIO_MUTUAL", hop["mtls"]!.GetValue<string>());
        Assert.Equal("ALLOW", hop["explanation"]!["result"]!["authorization"]!.GetValue<string>());
        Assert.Equal("reviews-v2", await BodyAsync(mesh, "/reviews/0", ("end-user", "jason")));

        // Without the header: jason is tried and refused with its reason, then the /reviews route wins.
        var plain = await ExplainJsonAsync(mesh, "http://reviews:9080/reviews/0");
        Assert.Equal("reviews", plain["outbound"]!["result"]!["route"]!.GetValue<string>());
        Assert.Equal("v1", plain["outbound"]!["result"]!["subset"]!.GetValue<string>());
        var routing = Step(plain["outbound"]!, "Routing");
        var tried = routing["items"]!.AsArray().Select(i => (i!["name"]!.GetValue<string>(), i["verdict"]!.GetValue<string>())).ToList();
        Assert.Equal([("jason (reviews.default)", "no match"), ("teapot (reviews.default)", "no match"), ("split (reviews.default)", "no match"), ("reviews (reviews.default)", "matched")], tried);
        Assert.Contains("header end-user exact:jason does not hold (the request has no such header)", routing["items"]![0]!["detail"]!.GetValue<string>());
        Assert.Equal("reviews-v1", await BodyAsync(mesh, "/reviews/0"));

        // Human form: the VirtualService, the route and the subset.
        var text = await MeshCli.RunAsync(mesh, "explain", "--from", "productpage", "-H", "end-user: jason", "http://reviews:9080/reviews/0");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("VirtualService: reviews.default   route: jason", text.Out);
        Assert.Contains("subset: v2   cluster: outbound|9080|v2|reviews.default.svc.cluster.local", text.Out);
        Assert.Contains("outcome: reviews-v2: forwarded to the app", text.Out);
    }

    [Fact]
    public async Task Explain_reports_no_match_faults_weights_and_denials_as_the_sidecars_enforce_them()
    {
        await using var mesh = await StartAsync();

        // No route: 404 NR, at the source's sidecar.
        var none = await ExplainJsonAsync(mesh, "http://reviews:9080/elsewhere");
        Assert.Equal(404, none["outbound"]!["outcome"]!["status"]!.GetValue<int>());
        Assert.Equal("no route", Step(none["outbound"]!, "Routing")["verdict"]!.GetValue<string>());
        Assert.Empty(none["inbound"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(mesh, "/elsewhere"));

        // A certain abort ends the request at the fault filter with its status.
        var teapot = await ExplainJsonAsync(mesh, "http://reviews:9080/teapot");
        Assert.Equal(418, teapot["outbound"]!["outcome"]!["status"]!.GetValue<int>());
        Assert.Equal("HTTP 418 100 %", teapot["outbound"]!["result"]!["fault_abort"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode)418, await StatusAsync(mesh, "/teapot"));

        // A weighted split: both candidates with their weights, timeout and retries; each inbound half explained.
        var split = await ExplainJsonAsync(mesh, "-X", "POST", "http://reviews:9080/split");
        var router = Step(split["outbound"]!, "Router");
        Assert.Equal("weighted", router["verdict"]!.GetValue<string>());
        Assert.Equal(["weight 80 of 100 (80 %), subset v1", "weight 20 of 100 (20 %), subset v3"], router["items"]!.AsArray().Select(i => i!["detail"]!.GetValue<string>().Split(", 1 endpoint")[0]));
        Assert.Equal("2s", split["outbound"]!["result"]!["timeout"]!.GetValue<string>());
        Assert.Equal("3", split["outbound"]!["result"]!["retries"]!.GetValue<string>());
        Assert.Equal(["reviews-v1", "reviews-v3"], split["inbound"]!.AsArray().Select(h => h!["workload"]!.GetValue<string>()).Order());
        var answered = new HashSet<string>();
        await Poll.UntilAsync("both subsets of the split answering", async () =>
        {
            answered.Add(await BodyAsync(mesh, "/split"));
            return answered.SetEquals(["reviews-v1", "reviews-v3"]);
        });

        // DENY at the destination: the policy and the rule that decided, and the real 403.
        var secret = await ExplainJsonAsync(mesh, "http://reviews:9080/reviews/secret");
        var inbound = Assert.Single(secret["inbound"]!.AsArray())!["explanation"]!;
        Assert.Equal("DENY", inbound["result"]!["authorization"]!.GetValue<string>());
        Assert.Equal("no-secrets.default", inbound["result"]!["policy"]!.GetValue<string>());
        Assert.Equal("1", inbound["result"]!["rule"]!.GetValue<string>());
        Assert.Equal(403, inbound["outcome"]!["status"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(mesh, "/reviews/secret"));
        var text = await MeshCli.RunAsync(mesh, "explain", "--from", "productpage", "reviews:9080/reviews/secret");
        Assert.Contains("outcome: reviews-v1: 403 RBAC: access denied", text.Out);
        Assert.Contains("DENY policy no-secrets.default matches (rules[1])", text.Out);
    }

    [Fact]
    public async Task Explain_refuses_bad_input_with_a_clear_error()
    {
        await using var mesh = await StartAsync();

        var ghost = await MeshCli.RunAsync(mesh, "explain", "--from", "ghost", "http://reviews:9080/");
        Assert.Equal(1, ghost.ExitCode);
        Assert.Contains("error: no connected proxy is workload, app or proxy 'ghost'", ghost.Error);

        var unknown = await MeshCli.RunAsync(mesh, "explain", "--from", "productpage", "http://details:9080/");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no outbound listener of this proxy serves details:9080", unknown.Error);

        var header = await MeshCli.RunAsync(mesh, "explain", "--from", "productpage", "-H", "no-colon", "http://reviews:9080/");
        Assert.Equal(1, header.ExitCode);
        Assert.Contains("-H 'no-colon': a header is 'name: value'", header.Error);
        Assert.DoesNotContain("   at ", unknown.Error + header.Error + ghost.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_lists_what_affects_a_service_with_warnings()
    {
        await using var mesh = await StartAsync("""
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews-extra, namespace: default}
            spec:
              host: reviews.default.svc.cluster.local
              subsets: [{name: v9, labels: {version: v9}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: shadowed, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route: [{destination: {host: reviews, subset: v1}}]
              - name: never
                match: [{uri: {prefix: /x}}]
                route: [{destination: {host: reviews, subset: v2}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: orphan, namespace: default}
            spec:
              selector: {matchLabels: {app: nothing-here}}
              rules: [{}]
            """);

        var result = await MeshCli.RunAsync(mesh, "describe", "reviews");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("services: reviews.default.svc.cluster.local", result.Out);
        Assert.Matches(@"reviews\.default\s+mesh\s+0\s+jason\s+header end-user exact:jason\s+reviews/v2 100%", result.Out);
        Assert.Matches(@"reviews-extra\.default\s+reviews\.default\.svc\.cluster\.local\s+-\s+-\s+v9\s+version=v9\s+0", result.Out);
        Assert.Matches(@"AuthorizationPolicy\s+no-secrets\.default\s+selector app=reviews\s+DENY", result.Out);
        Assert.Contains("WARNINGS (3)", result.Out);
        Assert.Contains("! DestinationRule reviews-extra.default: subset 'v9' (version=v9) has no endpoints", result.Out);
        Assert.Contains("! VirtualService shadowed.default: http[1] ('never') is never reached: http[0] has no match conditions", result.Out);
        Assert.Contains("! AuthorizationPolicy orphan.default selects no workload (app=nothing-here)", result.Out);

        var json = JsonNode.Parse((await MeshCli.RunAsync(mesh, "describe", "reviews-v2", "-o", "json")).Out)!;
        Assert.Equal(["reviews-v2"], json["workloads"]!.AsArray().Select(w => w!["workload"]!.GetValue<string>()));
        Assert.Equal(["reviews.default", "shadowed.default"], json["virtual_services"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()));

        var missing = await MeshCli.RunAsync(mesh, "describe", "ghost");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("'ghost' is neither a registered workload", missing.Error);
    }

    private static async Task<TestMesh> StartAsync(string extraConfig = "")
    {
        var mesh = await TestMesh.StartAsync();
        try
        {
            foreach (var version in new[] { "v1", "v2", "v3" })
            {
                await mesh.WorkloadAsync(new WorkloadSpec("reviews", version));
            }

            await mesh.WorkloadAsync(new WorkloadSpec("productpage") { Upstreams = ["reviews"], WithApp = false });
            await mesh.ApplyAsync(Routing + "\n" + extraConfig);
            await mesh["productpage-v1"].WaitForEndpointsAsync("reviews", 3);
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    private static async Task<JsonNode> ExplainJsonAsync(TestMesh mesh, params string[] args)
    {
        var result = await MeshCli.RunAsync(mesh, ["explain", "--from", "productpage", "-o", "json", .. args]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Out)!;
    }

    private static JsonNode Step(JsonNode explanation, string stage) =>
        explanation["steps"]!.AsArray().First(s => s!["stage"]!.GetValue<string>() == stage)!;

    private static async Task<string> BodyAsync(TestMesh mesh, string path, params (string Name, string Value)[] headers)
    {
        using var response = await mesh.CallAsync("productpage-v1", "reviews", path, r =>
        {
            foreach (var (name, value) in headers)
            {
                r.Headers.Add(name, value);
            }
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpStatusCode> StatusAsync(TestMesh mesh, string path)
    {
        using var response = await mesh.CallAsync("productpage-v1", "reviews", path);
        return response.StatusCode;
    }
}
