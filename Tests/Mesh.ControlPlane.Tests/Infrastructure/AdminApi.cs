using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>Admin API calls with JSON results.</summary>
public static class AdminApi
{
    public static async Task<(HttpStatusCode Status, JsonNode Body)> ApplyAsync(this HttpClient admin, string yaml) =>
        await SendAsync(admin, HttpMethod.Post, "/api/v1/config", yaml);

    public static async Task<(HttpStatusCode Status, JsonNode Body)> DeleteYamlAsync(this HttpClient admin, string yaml, bool ignoreNotFound = false) =>
        await SendAsync(admin, HttpMethod.Post, "/api/v1/config:delete" + (ignoreNotFound ? "?ignoreNotFound=true" : ""), yaml);

    public static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(this HttpClient admin, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/yaml");
        }

        using var response = await admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text) ?? throw new InvalidOperationException("empty JSON body"));
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public static async Task<long> GenerationAsync(this HttpClient admin) =>
        (await admin.GetJsonAsync("/api/v1/config/status"))["generation"]!.GetValue<long>();
}
