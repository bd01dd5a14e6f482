using System.Text.Json.Nodes;
using Google.Protobuf;
using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Admin;

// The admin API's proxy documents (JSON, camelCase).

internal sealed record ProxyStatusResponse
{
    public required string Id { get; init; }
    public required string Workload { get; init; }
    public required string Namespace { get; init; }
    public required string Kind { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required string Address { get; init; }
    public required DateTimeOffset ConnectedSince { get; init; }
    public required string Status { get; init; }
    public string? SentVersion { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public long? ConfigGeneration { get; init; }
    public string? AckedVersion { get; init; }
    public DateTimeOffset? AckedAt { get; init; }
    public string? NackedVersion { get; init; }
    public string? NackError { get; init; }
    public DateTimeOffset? NackedAt { get; init; }
    public string? BuildError { get; init; }

    /// <summary>Listeners the proxy could not bind (a Gateway server on a port another process holds).</summary>
    public IReadOnlyList<ListenerFailureModel> ListenerFailures { get; init; } = [];

    /// <summary>A write the proxy has not taken for longer than the ACK timeout (it stopped reading): since when, how many bytes.</summary>
    public BlockedWriteModel? BlockedWrite { get; init; }

    /// <summary>The full node (services, outbound bindings...) in protobuf JSON; only for a single proxy.</summary>
    public JsonNode? Node { get; init; }

    public static ProxyStatusResponse From(ProxyStatusModel status, bool includeNode = false) => new()
    {
        Id = status.Id,
        Workload = status.Node.Workload,
        Namespace = status.Node.Namespace,
        Kind = status.Kind,
        Labels = status.Node.Labels,
        Address = status.Node.Address,
        ConnectedSince = status.ConnectedSince,
        Status = status.Status.ToString().ToUpperInvariant(),
        SentVersion = status.SentVersion,
        SentAt = status.SentAt,
        ConfigGeneration = status.CurrentConfigGeneration,
        AckedVersion = status.AckedVersion,
        AckedAt = status.AckedAt,
        NackedVersion = status.NackedVersion,
        NackError = status.NackError,
        NackedAt = status.NackedAt,
        BuildError = status.BuildError,
        ListenerFailures = status.ListenerFailures,
        BlockedWrite = status.BlockedWrite,
        Node = includeNode ? JsonNode.Parse(JsonFormatter.Default.Format(status.Node)) : null,
    };
}
