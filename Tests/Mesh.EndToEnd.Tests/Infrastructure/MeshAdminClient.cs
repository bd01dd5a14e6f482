using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The control plane's admin API (bearer token already set) with typed helpers for what tests
/// do most: apply and delete Istio YAML, read proxy status. <see cref="Http"/> is there for
/// anything else (its base address is the admin API root).
/// </summary>
public sealed class MeshAdminClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Http { get; } = http;

    /// <summary>Applies YAML; anything but 200 fails with the response body (which lists the errors).</summary>
    public async Task<ConfigChange> ApplyAsync(string yaml, CancellationToken cancellationToken = default)
    {
        using var response = await PostYamlAsync("/api/v1/config", yaml, cancellationToken);
        return await ReadChangeAsync(response, "apply", cancellationToken);
    }

    /// <summary>Deletes the objects the YAML names (missing ones are ignored).</summary>
    public async Task<ConfigChange> DeleteAsync(string yaml, CancellationToken cancellationToken = default)
    {
        using var response = await PostYamlAsync("/api/v1/config:delete?ignoreNotFound=true", yaml, cancellationToken);
        return await ReadChangeAsync(response, "delete", cancellationToken);
    }

    /// <summary>Posts YAML as-is, for tests that look at refusals themselves.</summary>
    public Task<HttpResponseMessage> PostYamlAsync(string path, string yaml, CancellationToken cancellationToken = default) =>
        Http.PostAsync(path, new StringContent(yaml, Encoding.UTF8, "application/yaml"), cancellationToken);

    public async Task<IReadOnlyList<ProxyStatus>> ProxiesAsync(CancellationToken cancellationToken = default) =>
        await Http.GetFromJsonAsync<List<ProxyStatus>>("/api/v1/proxies", Json, cancellationToken) ?? [];

    /// <summary>The config store's generation (bumped by every accepted change).</summary>
    public async Task<long> GenerationAsync(CancellationToken cancellationToken = default)
    {
        using var status = JsonDocument.Parse(await Http.GetStringAsync("/api/v1/config/status", cancellationToken));
        return status.RootElement.GetProperty("generation").GetInt64();
    }

    /// <summary>
    /// Waits until <paramref name="expected"/> proxies (at least) are connected and every one is
    /// SYNCED (with <paramref name="atGeneration"/>: at that config generation or later).
    /// </summary>
    public async Task<IReadOnlyList<ProxyStatus>> WaitForAllSyncedAsync(int expected, TimeSpan timeout, CancellationToken cancellationToken = default, long? atGeneration = null)
    {
        IReadOnlyList<ProxyStatus> last = [];
        return await Poll.ForAsync(
            atGeneration is { } g ? $"{expected} proxies SYNCED at config generation {g}" : $"{expected} proxies SYNCED",
            async ct =>
            {
                last = await ProxiesAsync(ct);
                return last.Count >= expected && last.All(p => p.Status == "SYNCED" && (atGeneration is null || p.ConfigGeneration >= atGeneration)) ? last : null;
            },
            () => string.Join(", ", last.Select(p => $"{p.Id}={p.Status}@{p.ConfigGeneration}{(p.NackError is null ? "" : $" ({p.NackError})")}")),
            budget: timeout);
    }

    /// <summary>
    /// Waits until proxy <paramref name="proxyId"/> ACKed a snapshot built from config generation
    /// <paramref name="generation"/> or later: from then on it routes by that config.
    /// </summary>
    public async Task<ProxyStatus> WaitForProxySyncedAsync(string proxyId, long generation, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ProxyStatus? last = null;
        return await Poll.ForAsync(
            $"proxy {proxyId} SYNCED at config generation {generation}",
            async ct =>
            {
                last = (await ProxiesAsync(ct)).FirstOrDefault(p => p.Id == proxyId);
                return last is { Status: "SYNCED", ConfigGeneration: { } g } && g >= generation ? last : null;
            },
            () => last is null ? "not connected" : $"{last.Status} at generation {last.ConfigGeneration} {last.NackError}",
            budget: timeout);
    }

    private static async Task<ConfigChange> ReadChangeAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Config {action} was refused: HTTP {(int)response.StatusCode} {body}");
        }

        return JsonSerializer.Deserialize<ConfigChange>(body, Json)
            ?? throw new InvalidOperationException($"Config {action} answered an empty document");
    }
}

/// <summary>The admin API's answer to an accepted apply or delete.</summary>
public sealed record ConfigChange(string Outcome, long Generation, IReadOnlyList<string> Keys, string? Message);

/// <summary>One proxy as <c>GET /api/v1/proxies</c> shows it.</summary>
public sealed record ProxyStatus(
    string Id,
    string Kind,
    string Workload,
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    string? SentVersion,
    string? AckedVersion,
    long? ConfigGeneration,
    string? NackError,
    string? BuildError);
