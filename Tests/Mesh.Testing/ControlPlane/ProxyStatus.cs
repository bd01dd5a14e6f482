namespace Mesh.Testing.ControlPlane;

/// <summary>One proxy as <c>GET /api/v1/proxies</c> lists it.</summary>
public sealed record ProxyStatus(
    string Id,
    string Kind,
    string Workload,
    string Namespace,
    string Status,
    IReadOnlyDictionary<string, string> Labels,
    string Address,
    DateTimeOffset ConnectedSince,
    string? SentVersion,
    string? AckedVersion,
    long? ConfigGeneration,
    string? NackedVersion,
    string? NackError)
{
    public override string ToString() => $"{Id}={Status}@{ConfigGeneration?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}{(NackError is null ? "" : $" ({NackError})")}";
}
