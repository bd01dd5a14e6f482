using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Dashboard;

/// <summary>
/// The control plane's admin API as the dashboard commands use it: apply and delete YAML, read
/// objects as JSON. The same API meshctl uses, with the admin token the control plane keeps in its
/// data directory, so <c>meshctl get</c> shows exactly what a command did.
/// </summary>
internal sealed class MeshAdminApi(MeshControlPlaneResource controlPlane) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>An answer the user reads: the control plane's own message when it refused.</summary>
    public sealed record Outcome(bool Succeeded, string Message, long? Generation = null);

    public async Task<Outcome> ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Post, "/api/v1/config", cancellationToken);
        request.Content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        return await SendAsync(request, cancellationToken);
    }

    public async Task<Outcome> DeleteAsync(string kind, string @namespace, string name, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Delete, $"/api/v1/config/{kind}/{@namespace}/{name}", cancellationToken);
        return await SendAsync(request, cancellationToken);
    }

    /// <summary>The object as JSON, or null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(string kind, string @namespace, string name, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, $"/api/v1/config/{kind}/{@namespace}/{name}", cancellationToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
    }

    /// <summary>Every object of a kind in a namespace, each as JSON.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string kind, string @namespace, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, $"/api/v1/config/{kind}?namespace={Uri.EscapeDataString(@namespace)}", cancellationToken);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var objects = new List<JsonObject>();
        foreach (var item in list.RootElement.GetProperty("items").EnumerateArray())
        {
            if (item.GetProperty("namespace").GetString() == @namespace
                && await GetAsync(kind, @namespace, item.GetProperty("name").GetString()!, cancellationToken) is { } found)
            {
                objects.Add(found);
            }
        }

        return objects;
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var admin = await controlPlane.AdminEndpoint.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException("the control plane's admin endpoint is not allocated yet");
        var request = new HttpRequestMessage(method, new Uri(new Uri(admin), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await ReadTokenAsync(cancellationToken));
        return request;
    }

    private async Task<string> ReadTokenAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(controlPlane.DataDirectory, "admin-token");
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the control plane's admin token ({path}): is the control plane running?", e);
        }
    }

    private async Task<Outcome> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new Outcome(response.IsSuccessStatusCode, MessageOf(body) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}", GenerationOf(body));
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"the control plane answered {(int)response.StatusCode}: {MessageOf(body) ?? body}");
        }
    }

    /// <summary>The admin API's message (and the first errors) from a JSON answer.</summary>
    private static string? MessageOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var text = json.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
            if (json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                text = $"{text}: {string.Join("; ", errors.EnumerateArray().Take(3).Select(e => e.TryGetProperty("formatted", out var m) ? m.GetString() : e.ToString()))}";
            }

            return text;
        }
        catch (JsonException)
        {
            return body.Length == 0 ? null : body;
        }
    }

    private static long? GenerationOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("generation", out var generation) && generation.TryGetInt64(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
