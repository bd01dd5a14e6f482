using System.Net;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Configuration;

/// <summary>
/// Size limits per object and in total (ControlPlane:MaxObjectBytes, MaxTotalConfigBytes): a change
/// over a limit is refused whole with its file and document, and the last good configuration serves.
/// </summary>
public sealed class ConfigSizeLimitTests
{
    private static readonly Dictionary<string, string?> SmallLimits = new()
    {
        ["ControlPlane:MaxObjectBytes"] = "2000",
        ["ControlPlane:MaxTotalConfigBytes"] = "6000",
    };

    [Fact]
    public async Task An_object_over_the_per_object_limit_is_refused_at_its_file_and_document()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions { Settings = SmallLimits });
        controlPlane.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        controlPlane.WriteConfigFile("big.yaml", Yaml.Documents(Yaml.VirtualService("details", host: "details"), Large("ratings", 2500)));

        var status = await Poll.ForAsync("one rejected source in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["rejected"]!.AsArray().Count == 1);
        Assert.Equal(1, status["generation"]!.GetValue<long>());
        var rejected = status["rejected"]![0]!;
        Assert.Equal("big.yaml", rejected["source"]!.GetValue<string>());
        var error = Assert.Single(rejected["errors"]!.AsArray())!;
        Assert.Equal(2, error["document"]!.GetValue<int>());
        Assert.Equal("ratings", error["name"]!.GetValue<string>());
        Assert.Matches(@"^the object is [\d,]+ bytes, over the limit of 2,000 bytes per object \(ControlPlane:MaxObjectBytes\)$", error["message"]!.GetValue<string>());

        // The same object through the API is refused the same way.
        var (code, body) = await controlPlane.Admin.ApplyAsync(Large("ratings", 2500));
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("per object (ControlPlane:MaxObjectBytes)", body["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_over_the_total_limit_is_refused_naming_its_largest_sources()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions { Settings = SmallLimits });
        controlPlane.WriteConfigFile("a.yaml", Yaml.Documents(Large("a1", 1500), Large("a2", 1500)));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        controlPlane.WriteConfigFile("b.yaml", Yaml.Documents(Large("b1", 1500), Large("b2", 1500)));

        var status = await Poll.ForAsync("one rejected source in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["rejected"]!.AsArray().Count == 1);
        Assert.Equal(1, status["generation"]!.GetValue<long>());
        var rejected = status["rejected"]![0]!;
        Assert.Equal("(all sources)", rejected["source"]!.GetValue<string>());
        var message = rejected["errors"]![0]!["message"]!.GetValue<string>();
        Assert.Matches(@"^the configuration would be [\d,]+ bytes, over the limit of 6,000 bytes in total \(ControlPlane:MaxTotalConfigBytes\); largest sources: [ab]\.yaml [\d,]+ bytes, [ab]\.yaml [\d,]+ bytes$", message);

        // API objects count too; removing the file brings the total back under the limit.
        Assert.Equal(HttpStatusCode.BadRequest, (await controlPlane.Admin.ApplyAsync(Yaml.Documents(Large("c1", 1500), Large("c2", 1500)))).Status);
        File.Delete(Path.Combine(controlPlane.ConfigDirectory, "b.yaml"));
        status = await Poll.ForAsync("no rejected source in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["rejected"]!.AsArray().Count == 0);
        Assert.True(status["filesInSync"]!.GetValue<bool>());
    }

    /// <summary>A valid VirtualService of about <paramref name="bytes"/> bytes (padded with match rules).</summary>
    internal static string Large(string name, int bytes)
    {
        var text = new System.Text.StringBuilder($"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: {name}
            spec:
              hosts:
              - {name}
              http:

            """);
        for (var i = 0; text.Length < bytes; i++)
        {
            text.Append($"""
                  - match:
                    - uri:
                        prefix: /path-{i:D6}
                    route:
                    - destination:
                        host: {name}

                """);
        }

        return text.ToString();
    }
}
