using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Admin;

/// <summary>The admin API's authentication, input errors and reads.</summary>
public sealed class AdminApiTests
{
    [Fact]
    public async Task Api_requests_need_the_bearer_token_and_health_endpoints_do_not()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        using var anonymous = new HttpClient { BaseAddress = controlPlane.AdminUri };

        var missing = await anonymous.GetAsync("/api/v1/config");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/proxies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/config", new StringContent(Yaml.VirtualService("x")))).StatusCode);
        Assert.Equal(0, await controlPlane.Admin.GenerationAsync());

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.GetAsync("/api/v1/config")).StatusCode);
    }

    [Fact]
    public async Task A_generated_token_is_written_owner_only_and_reused_after_restart()
    {
        var options = StandIn.Options() with
        {
            AdminToken = null,
            Settings = new Dictionary<string, string?> { ["ControlPlane:GenerateAdminToken"] = "true" },
        };
        var controlPlane = await TestControlPlane.StartAsync(options);
        try
        {
            var path = Path.Combine(controlPlane.DataDirectory, "admin-token");
            var token = File.ReadAllText(path).Trim();
            Assert.True(token.Length >= 40);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            Assert.Equal(HttpStatusCode.Unauthorized, (await controlPlane.Admin.GetAsync("/api/v1/config")).StatusCode);
            controlPlane = await controlPlane.RestartAsync();
            Assert.Equal(token, File.ReadAllText(path).Trim());
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/config");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.SendAsync(request)).StatusCode);
        }
        finally
        {
            await controlPlane.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bad_yaml_is_a_400_with_every_error_and_nothing_changes()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());

        var (status, body) = await controlPlane.Admin.ApplyAsync("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x\n");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("YAML syntax error", body["errors"]![0]!["message"]!.GetValue<string>());

        const string UnknownFields = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
            spec:
              hosts: [reviews]
              colour: blue
              http:
              - route:
                - destination: {host: reviews}
                  wieght: 10
            """;
        (status, body) = await controlPlane.Admin.ApplyAsync(UnknownFields);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var paths = body["errors"]!.AsArray().Select(e => e!["path"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["spec.colour", "spec.http[0].route[0].wieght"], paths);
        Assert.All(body["errors"]!.AsArray(), e => Assert.Matches(@"^api request \(document 1, line (7|11)\) VirtualService/reviews: spec\.", e!["formatted"]!.GetValue<string>()));
        Assert.Equal([7, 11], body["errors"]!.AsArray().Select(e => e!["line"]!.GetValue<int>()).Order());

        (status, body) = await controlPlane.Admin.ApplyAsync("   \n");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("empty", body["message"]!.GetValue<string>());

        Assert.Equal(0, await controlPlane.Admin.GenerationAsync());
    }

    [Fact]
    public async Task Get_resolves_kinds_by_name_plural_and_short_name_and_serves_json_or_yaml()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.Documents(
            Yaml.VirtualService("reviews"), Yaml.VirtualService("ratings", host: "ratings", @namespace: "prod"), Yaml.DestinationRule("reviews")));

        foreach (var kind in new[] { "VirtualService", "virtualservice", "virtualservices", "VS", "virtualservices.networking.istio.io" })
        {
            var list = await controlPlane.Admin.GetJsonAsync($"/api/v1/config/{kind}");
            Assert.Equal(2, list["items"]!.AsArray().Count);
        }

        var prod = await controlPlane.Admin.GetJsonAsync("/api/v1/config/vs?namespace=prod");
        Assert.Equal("ratings", prod["items"]!.AsArray().Single()!["name"]!.GetValue<string>());

        var json = await controlPlane.Admin.GetJsonAsync("/api/v1/config/dr/default/reviews");
        Assert.Equal("DestinationRule", json["kind"]!.GetValue<string>());
        Assert.Equal("v1", json["spec"]!["subsets"]![0]!["labels"]!["version"]!.GetValue<string>());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/config/dr/default/reviews");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/yaml"));
        using var yamlResponse = await controlPlane.Admin.SendAsync(request);
        Assert.Equal("application/yaml", yamlResponse.Content.Headers.ContentType!.MediaType);
        var yaml = await yamlResponse.Content.ReadAsStringAsync();
        Assert.StartsWith("apiVersion: networking.istio.io/v1\nkind: DestinationRule\n", yaml);

        // What get returns applies again unchanged.
        var (status, body) = await controlPlane.Admin.ApplyAsync(yaml);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("unchanged", body["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_kinds_objects_and_proxies_are_clear_4xx()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());

        var (status, body) = await controlPlane.Admin.SendAsync(HttpMethod.Get, "/api/v1/config/widgets");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unknown kind 'widgets'", body["message"]!.GetValue<string>());
        Assert.Contains("VirtualService", body["message"]!.GetValue<string>());

        (status, body) = await controlPlane.Admin.SendAsync(HttpMethod.Get, "/api/v1/config/vs/default/nope");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("VirtualService/default/nope", body["message"]!.GetValue<string>());

        (status, _) = await controlPlane.Admin.SendAsync(HttpMethod.Delete, "/api/v1/config/vs/default/nope");
        Assert.Equal(HttpStatusCode.NotFound, status);

        (status, body) = await controlPlane.Admin.SendAsync(HttpMethod.Get, "/api/v1/proxies/ghost/config");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("not connected", body["message"]!.GetValue<string>());

        (status, _) = await controlPlane.Admin.SendAsync(HttpMethod.Post, "/api/v1/config:delete?ignoreNotFound=maybe", Yaml.VirtualService("x"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Each_listener_serves_only_its_own_endpoints()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());

        // The admin API is not reachable on the gRPC (h2c) port.
        using var h2c = new HttpClient { BaseAddress = controlPlane.GrpcUri, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal(HttpStatusCode.NotFound, (await h2c.GetAsync("/healthz")).StatusCode);

        // The discovery service is not reachable on the admin port.
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes("\0\0\0\0\0"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var grpcOnAdmin = await controlPlane.Admin.PostAsync("/mesh.discovery.v1.MeshDiscovery/StreamSnapshots", content);
        Assert.Equal(HttpStatusCode.NotFound, grpcOnAdmin.StatusCode);
    }
}
