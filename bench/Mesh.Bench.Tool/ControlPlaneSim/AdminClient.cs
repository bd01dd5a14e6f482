using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>The few control-plane admin API calls the benchmark makes (apply, proxy status).</summary>
public sealed class AdminClient(Uri adminUrl) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = adminUrl, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Applies YAML; returns the config generation that now serves.</summary>
    public async Task<long> ApplyAsync(string yaml, CancellationToken cancellationToken)
    {
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        using var response = await _http.PostAsync("/api/v1/config", content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"apply failed with {(int)response.StatusCode}: {body}");
        }

        return JsonNode.Parse(body)?["generation"]?.GetValue<long>()
            ?? throw new InvalidOperationException($"apply answered without a generation: {body}");
    }

    /// <summary>How many proxies the control plane reports with status SYNCED.</summary>
    public async Task<int> CountSyncedAsync(CancellationToken cancellationToken)
    {
        using var stream = await _http.GetStreamAsync("/api/v1/proxies", cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return document.RootElement.EnumerateArray()
            .Count(p => p.TryGetProperty("status", out var s) && string.Equals(s.GetString(), "SYNCED", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => _http.Dispose();
}
