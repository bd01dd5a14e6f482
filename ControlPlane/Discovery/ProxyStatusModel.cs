using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>A point-in-time view of one connected proxy and its sync state.</summary>
internal sealed record ProxyStatusModel
{
    public required string Id { get; init; }
    public required Node Node { get; init; }
    public required string Kind { get; init; }
    public required DateTimeOffset ConnectedSince { get; init; }
    public required ProxySyncStatus Status { get; init; }
    public string? SentVersion { get; init; }
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>When the stream's first snapshot (the answer to the connect) was sent.</summary>
    public DateTimeOffset? FirstSentAt { get; init; }
    public long? SentConfigGeneration { get; init; }

    /// <summary>
    /// The newest config generation this proxy's sent snapshot reflects: later generations whose
    /// build for it came out the same (a change outside its scope) send nothing, but the proxy
    /// routes by them as much as by the one its snapshot was built from. Null before the first send.
    /// </summary>
    public long? CurrentConfigGeneration { get; init; }
    public string? AckedVersion { get; init; }
    public DateTimeOffset? AckedAt { get; init; }
    public string? NackedVersion { get; init; }
    public string? NackError { get; init; }
    public DateTimeOffset? NackedAt { get; init; }

    /// <summary>Set when the control plane could not build this proxy's snapshot.</summary>
    public string? BuildError { get; init; }

    /// <summary>Listeners the proxy (a gateway) could not bind, as it last reported.</summary>
    public IReadOnlyList<ListenerFailureModel> ListenerFailures { get; init; } = [];

    /// <summary>Set when a write to the proxy has waited longer than the ACK timeout: the proxy is not reading its stream.</summary>
    public BlockedWriteModel? BlockedWrite { get; init; }
}

/// <summary>A write to a proxy that does not read: when it began and how many bytes wait in its stream.</summary>
internal sealed record BlockedWriteModel(DateTimeOffset Since, long Bytes);

/// <summary>A listener a gateway could not open: its Gateway server port, where, why, and the servers it would serve.</summary>
public sealed record ListenerFailureModel(uint Port, string Address, string Error, IReadOnlyList<string> GatewayServers);
