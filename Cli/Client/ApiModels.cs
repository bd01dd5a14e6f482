namespace Mesh.Cli.Client;

// The control plane admin API's JSON documents, as meshctl reads them.

internal sealed record ApiMessage(string? Message);

internal sealed record ApiConfigError(string Origin, int Document, int? Line, string? Kind, string? Name, string Path, string Message, string Formatted);

internal sealed record ApiConfigChange(string Outcome, long Generation, List<string> Keys, string? Message, List<ApiConfigError>? Errors);

/// <param name="Columns">Status columns of kinds that have them (a Gateway API Gateway's CLASS, ADDRESS, PROGRAMMED).</param>
internal sealed record ApiConfigItem(string Kind, string ApiVersion, string Namespace, string Name, string Source, long Generation, DateTimeOffset UpdatedAt, Dictionary<string, string>? Columns = null);

internal sealed record ApiConfigList(long Generation, List<ApiConfigItem> Items);

internal sealed record ApiConfigRejection(DateTimeOffset At, string Source, List<ApiConfigError> Errors);

/// <summary><c>GET /api/v1/config/status</c>. Defaults stand in for fields an older control plane does not send.</summary>
internal sealed record ApiConfigStatus(
    long Generation,
    int Objects,
    DateTimeOffset? AcceptedAt,
    string AcceptedFrom,
    bool FilesInSync,
    string? ConfigDirectory = null,
    bool Accepted = true,
    List<ApiConfigRejection>? Rejected = null,
    ApiConfigRejection? LastError = null,
    List<ApiUnboundListener>? UnboundListeners = null)
{
    public IReadOnlyList<ApiConfigRejection> RefusedSources => Rejected ?? [];

    public IReadOnlyList<ApiUnboundListener> Unbound => UnboundListeners ?? [];

    /// <summary>Something does not serve: a source is refused, nothing was ever accepted, or a gateway cannot listen on a Gateway server's port.</summary>
    public bool IsDegraded => !Accepted || RefusedSources.Count > 0 || Unbound.Count > 0;
}

/// <summary>A Gateway server port a gateway proxy could not listen on.</summary>
internal sealed record ApiUnboundListener(string Proxy, uint Port, string Address, string Error, List<string> GatewayServers);

internal sealed record ApiProxyStatus
{
    public required string Id { get; init; }
    public string Workload { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string Kind { get; init; } = "";
    public Dictionary<string, string> Labels { get; init; } = [];
    public string Address { get; init; } = "";
    public DateTimeOffset ConnectedSince { get; init; }
    public string Status { get; init; } = "";
    public string? SentVersion { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public long? ConfigGeneration { get; init; }
    public string? AckedVersion { get; init; }
    public DateTimeOffset? AckedAt { get; init; }
    public string? NackedVersion { get; init; }
    public string? NackError { get; init; }
    public string? BuildError { get; init; }
    public ApiBlockedWrite? BlockedWrite { get; init; }
}

internal sealed record ApiBlockedWrite(DateTimeOffset Since, long Bytes);

/// <summary><c>POST /api/v1/workloadgroups/{namespace}/{name}/token</c>: a VM's bootstrap token and what the VM needs besides.</summary>
internal sealed record ApiWorkloadGroupToken(
    string Token,
    DateTimeOffset ExpiresAt,
    string Namespace,
    string WorkloadGroup,
    string ServiceAccount,
    string TrustDomain,
    string RootCertificates,
    string DiscoveryAddress);
