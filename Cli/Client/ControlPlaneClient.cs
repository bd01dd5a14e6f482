using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Mesh.Cli.Client;

/// <summary>
/// The admin API as meshctl uses it. Transport failures and refusals become
/// <see cref="CliException"/>s with a message a person can act on.
/// </summary>
internal sealed class ControlPlaneClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public ControlPlaneClient(Uri server, string? token)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Server { get; }

    /// <summary>Apply; a 400 comes back as a change with errors (the caller prints them).</summary>
    /// <param name="namespace">kubectl's <c>-n</c>: the namespace of objects that name none (null: default).</param>
    public Task<ApiConfigChange> ApplyAsync(string yaml, string? @namespace, CancellationToken cancellationToken) =>
        ChangeAsync(HttpMethod.Post, "api/v1/config" + Query(("namespace", @namespace)), yaml, cancellationToken);

    public Task<ApiConfigChange> DeleteAsync(string yaml, bool ignoreNotFound, string? @namespace, CancellationToken cancellationToken) =>
        ChangeAsync(HttpMethod.Post, "api/v1/config:delete" + Query(("ignoreNotFound", ignoreNotFound ? "true" : null), ("namespace", @namespace)), yaml, cancellationToken);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    public Task<ApiConfigChange> DeleteAsync(string kind, string @namespace, string name, CancellationToken cancellationToken) =>
        ChangeAsync(HttpMethod.Delete, $"api/v1/config/{Escape(kind)}/{Namespace(@namespace)}/{Escape(name)}", null, cancellationToken);

    public Task<ApiConfigList> ListAsync(string? kind, string? @namespace, CancellationToken cancellationToken)
    {
        var path = kind is null ? "api/v1/config" : $"api/v1/config/{Escape(kind)}";
        return GetJsonAsync<ApiConfigList>(@namespace is null ? path : $"{path}?namespace={Escape(@namespace)}", cancellationToken);
    }

    /// <summary>One object as "yaml" or "json" text.</summary>
    public Task<string> GetObjectAsync(string kind, string @namespace, string name, string format, CancellationToken cancellationToken) =>
        GetTextAsync($"api/v1/config/{Escape(kind)}/{Namespace(@namespace)}/{Escape(name)}?format={format}", cancellationToken);

    public Task<ApiConfigStatus> StatusAsync(CancellationToken cancellationToken) =>
        GetJsonAsync<ApiConfigStatus>("api/v1/config/status", cancellationToken);

    public Task<List<ApiProxyStatus>> ProxiesAsync(CancellationToken cancellationToken) =>
        GetJsonAsync<List<ApiProxyStatus>>("api/v1/proxies", cancellationToken);

    /// <summary>The snapshot last sent to a proxy, as protobuf JSON text.</summary>
    public Task<string> ProxyConfigAsync(string id, CancellationToken cancellationToken) =>
        GetTextAsync($"api/v1/proxies/{Escape(id)}/config", cancellationToken);

    /// <summary>What the mesh does with a request (POST /api/v1/explain), as JSON text.</summary>
    public async Task<string> ExplainAsync(string requestJson, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/explain") { Content = new StringContent(requestJson, Encoding.UTF8, "application/json") };
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>The configuration affecting a workload or service (GET /api/v1/describe/{name}), as JSON text.</summary>
    public Task<string> DescribeAsync(string name, string? @namespace, CancellationToken cancellationToken) =>
        GetTextAsync($"api/v1/describe/{Escape(name)}{(string.IsNullOrEmpty(@namespace) ? "" : "?namespace=" + Escape(@namespace))}", cancellationToken);

    /// <summary>A bootstrap token for a VM of a WorkloadGroup (<c>meshctl workload entry configure</c>).</summary>
    public async Task<ApiWorkloadGroupToken> IssueWorkloadGroupTokenAsync(string @namespace, string group, int expirationSeconds, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/workloadgroups/{Escape(@namespace)}/{Escape(group)}/token?expirationSeconds={expirationSeconds}");
        using var response = await SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync<ApiWorkloadGroupToken>(response, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<ApiConfigChange> ChangeAsync(HttpMethod method, string path, string? yaml, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (yaml is not null)
        {
            request.Content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        }

        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var change = await ReadAsync<ApiConfigChange>(response, cancellationToken);
            if (change.Errors is { Count: > 0 })
            {
                return change;
            }
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync<ApiConfigChange>(response, cancellationToken);
    }

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
            throw new CliException($"cannot reach control plane at {Server}: {reason} (is it running? set --server or MESH_SERVER)");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"the control plane at {Server} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize<ApiMessage>(body, Json)?.Message;
        }
        catch (JsonException)
        {
        }

        message ??= string.IsNullOrWhiteSpace(body) ? response.ReasonPhrase : body.Trim();
        throw response.StatusCode == HttpStatusCode.Unauthorized
            ? new CliException($"the control plane at {Server} refused the request: {message} (pass --token, set MESH_TOKEN, or run from the directory holding .mesh-data/admin-token)")
            : new CliException(message ?? $"HTTP {(int)response.StatusCode}");
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new CliException("the control plane sent an empty response");
        }
        catch (JsonException ex)
        {
            throw new CliException($"the control plane sent a response meshctl does not understand: {ex.Message}");
        }
    }

    private static string Escape(string part) => Uri.EscapeDataString(part);

    // Cluster-scoped objects (GatewayClass) have no namespace; the server ignores this segment for them.
    private static string Namespace(string @namespace) => @namespace.Length == 0 ? "-" : Escape(@namespace);
}
