using Google.Protobuf;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Admin;

/// <summary><c>/api/v1/proxies</c>: sync status of connected proxies and the snapshot each was last sent (private keys redacted).</summary>
internal static class ProxyEndpoints
{
    private static readonly JsonFormatter SnapshotFormatter = new(JsonFormatter.Settings.Default.WithIndentation());

    public static IEndpointRouteBuilder MapProxyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var proxies = endpoints.MapGroup("/api/v1/proxies");
        proxies.MapGet("", (ConnectedProxies connected) => Results.Json(
            connected.All.Select(c => ProxyStatusResponse.From(c.GetStatus())).OrderBy(p => p.Id, StringComparer.Ordinal).ToList(),
            AdminJson.Context.ListProxyStatusResponse));
        proxies.MapGet("/{id}", (string id, ConnectedProxies connected) => connected.Find(id) is { } connection
            ? Results.Json(ProxyStatusResponse.From(connection.GetStatus(), includeNode: true), AdminJson.Context.ProxyStatusResponse)
            : NotConnected(id));
        proxies.MapGet("/{id}/config", (string id, ConnectedProxies connected) =>
        {
            if (connected.Find(id) is not { } connection)
            {
                return NotConnected(id);
            }

            return connection.LastSent is { } snapshot
                ? Results.Text(SnapshotFormatter.Format(SnapshotRedaction.Redact(snapshot)), "application/json")
                : ConfigEndpoints.Message(StatusCodes.Status404NotFound, $"no snapshot has been sent to proxy '{id}' yet");
        });
        return endpoints;
    }

    private static IResult NotConnected(string id) =>
        ConfigEndpoints.Message(StatusCodes.Status404NotFound, $"proxy '{id}' is not connected");
}
