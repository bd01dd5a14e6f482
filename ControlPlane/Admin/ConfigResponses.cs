using Mesh.Config.Model;
using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Admin;

// The admin API's configuration documents (JSON, camelCase).

internal sealed record MessageResponse(string Message);

internal sealed record ConfigErrorResponse(string Origin, int Document, int? Line, string? Kind, string? Name, string Path, string Message, string Formatted)
{
    public static ConfigErrorResponse From(ConfigError error) =>
        new(error.Source.Origin, error.Source.DocumentIndex, error.Line > 0 ? error.Line : null, error.Kind, error.Name, error.Path, error.Message, error.ToString());
}

internal sealed record ConfigChangeResponse(string Outcome, long Generation, IReadOnlyList<string> Keys, string Message, IReadOnlyList<ConfigErrorResponse>? Errors)
{
    public static ConfigChangeResponse From(ConfigChangeResult result) => new(
        result.Outcome.ToString().ToLowerInvariant(),
        result.Generation,
        result.Keys,
        result.Message,
        result.Errors.Count == 0 ? null : [.. result.Errors.Select(ConfigErrorResponse.From)]);
}

/// <param name="Columns">Status columns of kinds that have them (a Gateway's CLASS, ADDRESS, PROGRAMMED: the CRD's printer columns).</param>
internal sealed record ConfigItemResponse(string Kind, string ApiVersion, string Namespace, string Name, string Source, long Generation, DateTimeOffset UpdatedAt, Dictionary<string, string>? Columns = null)
{
    public static ConfigItemResponse From(ConfigEntry entry, Dictionary<string, string>? columns = null) => new(
        entry.Object.Kind, entry.Object.ApiVersion, entry.Object.Metadata.Namespace, entry.Object.Metadata.Name,
        entry.Source, entry.Generation, entry.UpdatedAt, columns);
}

internal sealed record ConfigListResponse(long Generation, IReadOnlyList<ConfigItemResponse> Items);

internal sealed record ConfigRejectionResponse(DateTimeOffset At, string Source, IReadOnlyList<ConfigErrorResponse> Errors)
{
    public static ConfigRejectionResponse From(ConfigRejection rejection) =>
        new(rejection.At, rejection.Source, [.. rejection.Errors.Select(ConfigErrorResponse.From)]);
}

/// <summary><c>GET /api/v1/config/status</c>: what serves, every source refused now, and the last refused change.</summary>
internal sealed record ConfigStatusResponse(
    bool Accepted,
    long Generation,
    int Objects,
    DateTimeOffset? AcceptedAt,
    string AcceptedFrom,
    string? ConfigDirectory,
    bool FilesInSync,
    IReadOnlyList<ConfigRejectionResponse> Rejected,
    ConfigRejectionResponse? LastError,
    IReadOnlyList<UnboundListenerResponse> UnboundListeners)
{
    public static ConfigStatusResponse From(ConfigStatusModel status, IEnumerable<Discovery.ProxyStatusModel> proxies) => new(
        status.Accepted, status.Generation, status.ObjectCount, status.AcceptedAt, status.AcceptedFrom, status.ConfigDirectory, status.FilesInSync,
        [.. status.Rejected.Select(ConfigRejectionResponse.From)],
        status.LastError is { } error ? ConfigRejectionResponse.From(error) : null,
        [.. proxies
            .SelectMany(p => p.ListenerFailures.Select(f => new UnboundListenerResponse(p.Id, f.Port, f.Address, f.Error, f.GatewayServers)))
            .OrderBy(u => u.Port)
            .ThenBy(u => u.Proxy, StringComparer.Ordinal)]);
}

/// <summary>A Gateway server port a gateway proxy could not listen on (reported by the proxy; the rest serves).</summary>
public sealed record UnboundListenerResponse(string Proxy, uint Port, string Address, string Error, IReadOnlyList<string> GatewayServers);
