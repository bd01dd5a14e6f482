using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security.Authorization;

namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>
/// One external authorizer of the snapshot (Envoy's ext_authz filter configuration): where to
/// send the check, what to send and what to take from the answer. Immutable once bound to its
/// cluster; lives with the snapshot's routing model.
/// </summary>
internal sealed class ExtAuthzProviderModel
{
    /// <summary>Istio's default timeout for both provider kinds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(600);

    public required string Name { get; init; }

    /// <summary>Name of the outbound cluster of the provider's service; empty when the service is unknown (deny).</summary>
    public required string ClusterName { get; init; }

    /// <summary>The bound cluster (set when the snapshot's clusters are known); null when <see cref="ClusterName"/> is empty.</summary>
    public UpstreamCluster? Cluster { get; init; }

    public required string Authority { get; init; }

    public bool Grpc { get; init; }

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public bool FailOpen { get; init; }

    public int StatusOnError { get; init; } = 403;

    public string PathPrefix { get; init; } = "";

    public PatternList? RequestHeaders { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> AdditionalHeaders { get; init; } = [];

    public PatternList? UpstreamOnAllow { get; init; }

    public PatternList? DownstreamOnAllow { get; init; }

    /// <summary>Null: every header of the authorizer's denial goes to the client (but Host).</summary>
    public PatternList? DownstreamOnDeny { get; init; }

    /// <summary>Null: the request body is not sent.</summary>
    public ExtAuthzBodySettings? Body { get; init; }

    public ExtAuthzProviderModel Bind(IReadOnlyDictionary<string, UpstreamCluster> clusters) =>
        ClusterName.Length == 0 ? this : new ExtAuthzProviderModel
        {
            Name = Name,
            ClusterName = ClusterName,
            Cluster = clusters.GetValueOrDefault(ClusterName),
            Authority = Authority,
            Grpc = Grpc,
            Timeout = Timeout,
            FailOpen = FailOpen,
            StatusOnError = StatusOnError,
            PathPrefix = PathPrefix,
            RequestHeaders = RequestHeaders,
            AdditionalHeaders = AdditionalHeaders,
            UpstreamOnAllow = UpstreamOnAllow,
            DownstreamOnAllow = DownstreamOnAllow,
            DownstreamOnDeny = DownstreamOnDeny,
            Body = Body,
        };
}

/// <summary>includeRequestBodyInCheck.</summary>
internal sealed record ExtAuthzBodySettings(int MaxRequestBytes, bool AllowPartialMessage, bool PackAsBytes);
