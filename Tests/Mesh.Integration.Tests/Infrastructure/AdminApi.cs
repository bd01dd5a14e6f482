using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>The control plane's admin API (token set) with the calls the tests make.</summary>
public sealed class AdminApi(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> PostYamlAsync(string path, string yaml) =>
        Http.PostAsync(path, new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    /// <summary>Applies YAML and returns the new config generation; anything but 200 fails with the body.</summary>
    public async Task<long> ApplyAsync(string yaml)
    {
        using var response = await PostYamlAsync("/api/v1/config", yaml);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"apply refused: HTTP {(int)response.StatusCode} {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("generation").GetInt64();
    }

    public async Task<JsonDocument> StatusAsync() => JsonDocument.Parse(await Http.GetStringAsync("/api/v1/config/status"));

    public async Task<long> GenerationAsync()
    {
        using var status = await StatusAsync();
        return status.RootElement.GetProperty("generation").GetInt64();
    }

    public async Task<IReadOnlyList<ProxyStatus>> ProxiesAsync() =>
        await Http.GetFromJsonAsync<List<ProxyStatus>>("/api/v1/proxies", Json) ?? [];

    public async Task<ProxyStatus?> ProxyAsync(string id) => (await ProxiesAsync()).FirstOrDefault(p => p.Id == id);

    /// <summary>Waits until proxy <paramref name="id"/> ACKed a snapshot built from config generation <paramref name="generation"/> or later.</summary>
    public async Task<ProxyStatus> WaitForSyncedAtAsync(string id, long generation, TimeSpan? timeout = null)
    {
        ProxyStatus? last = null;
        await Poll.UntilAsync(
            $"{id} SYNCED at generation {generation}",
            async () => (last = await ProxyAsync(id)) is { Status: "SYNCED", ConfigGeneration: { } g } && g >= generation,
            () => last is null ? "not connected" : $"{last.Status} at generation {last.ConfigGeneration} {last.NackError}",
            budget: timeout);
        return last!;
    }

    /// <summary>Waits until exactly <paramref name="ids"/> are connected and every one is SYNCED.</summary>
    public async Task WaitForSyncedAsync(IReadOnlyCollection<string> ids, TimeSpan? timeout = null)
    {
        IReadOnlyList<ProxyStatus> last = [];
        await Poll.UntilAsync(
            $"proxies {string.Join(", ", ids)} SYNCED",
            async () =>
            {
                last = await ProxiesAsync();
                return last.Select(p => p.Id).Order().SequenceEqual(ids.Order()) && last.All(p => p.Status == "SYNCED");
            },
            () => string.Join(", ", last.Select(p => $"{p.Id}={p.Status}")),
            budget: timeout);
    }
}

/// <summary>One proxy as <c>GET /api/v1/proxies</c> lists it.</summary>
public sealed record ProxyStatus(
    string Id,
    string Kind,
    string Workload,
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    string Address,
    DateTimeOffset ConnectedSince,
    string? SentVersion,
    string? AckedVersion,
    long? ConfigGeneration,
    string? NackedVersion,
    string? NackError);
