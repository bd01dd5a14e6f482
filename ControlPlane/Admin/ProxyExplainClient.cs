using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// Calls a connected proxy's <c>POST /explain</c> on its admin listener (the address and admin port
/// the proxy registered). The proxy answers from its own code and snapshot; this only carries the
/// question and the answer.
/// </summary>
internal sealed class ProxyExplainClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout };

    /// <summary>
    /// The proxy's explanation, or the status for the caller with an error sentence: 400 when the
    /// proxy refused the question (naming the field), 502 when it could not be asked.
    /// </summary>
    public async Task<(JsonObject? Explanation, int Status, string? Error)> ExplainAsync(Node node, JsonObject request, CancellationToken cancellationToken)
    {
        if (node.AdminPort is 0 or > 65535)
        {
            return (null, StatusCodes.Status502BadGateway, $"proxy '{node.Id}' reported no admin port");
        }

        var host = string.IsNullOrWhiteSpace(node.Address) ? "127.0.0.1" : node.Address;
        var url = new UriBuilder(Uri.UriSchemeHttp, host, (int)node.AdminPort, "/explain").Uri;
        try
        {
            using var content = new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(url, content, cancellationToken);
            var body = await response.Content.ReadFromJsonAsync(AdminJson.Context.JsonNode, cancellationToken) as JsonObject;
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode is >= 400 and < 500 ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway;
                return (null, status, $"proxy '{node.Id}': {body?["error"]?.GetValue<string>() ?? $"HTTP {(int)response.StatusCode}"}");
            }

            return body is null ? (null, StatusCodes.Status502BadGateway, $"proxy '{node.Id}' sent an empty explanation") : (body, StatusCodes.Status200OK, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            return (null, StatusCodes.Status502BadGateway, $"proxy '{node.Id}' at {url}: {ex.Message}");
        }
    }

    public void Dispose() => _http.Dispose();
}
