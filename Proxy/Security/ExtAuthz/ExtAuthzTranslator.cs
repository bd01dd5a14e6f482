using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Security.Authorization;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>Compiles <c>inbound.ext_authz</c>; every CUSTOM policy must name one of its providers and every provider cluster must be in the snapshot.</summary>
internal static class ExtAuthzTranslator
{
    public static IReadOnlyDictionary<string, ExtAuthzProviderModel> Translate(Wire.ProxySnapshot snapshot, string path, TranslationErrors errors)
    {
        var inbound = snapshot.Inbound;
        var providers = new Dictionary<string, ExtAuthzProviderModel>(StringComparer.Ordinal);
        if (inbound is null)
        {
            return providers;
        }

        var clusters = snapshot.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < inbound.ExtAuthz.Count; i++)
        {
            var wire = inbound.ExtAuthz[i];
            var at = $"{path}[{i}] ({wire.Name})";
            if (wire.Cluster.Length > 0 && !clusters.Contains(wire.Cluster))
            {
                errors.Add($"{at}.cluster", $"cluster '{wire.Cluster}' is not in the snapshot");
            }

            if (wire.StatusOnError is < 200 or > 599)
            {
                errors.Add($"{at}.status_on_error", $"{wire.StatusOnError} is not an HTTP status");
            }

            if (!providers.TryAdd(wire.Name, Model(wire)))
            {
                errors.Add(at, "a provider of this name is already defined");
            }
        }

        for (var i = 0; i < inbound.Authorization.Count; i++)
        {
            var policy = inbound.Authorization[i];
            if (policy.Action == Wire.AuthorizationPolicy.Types.Action.Custom && !providers.ContainsKey(policy.Provider))
            {
                errors.Add($"inbound.authorization[{i}] ({policy.Name}).provider", $"no ext_authz provider '{policy.Provider}' in inbound.ext_authz");
            }
        }

        return providers;
    }

    private static ExtAuthzProviderModel Model(Wire.ExtAuthzProvider wire) => new()
    {
        Name = wire.Name,
        ClusterName = wire.Cluster,
        Authority = wire.Authority,
        Grpc = wire.Grpc,
        Timeout = wire.Timeout is { } timeout && timeout.ToTimeSpan() > TimeSpan.Zero ? timeout.ToTimeSpan() : ExtAuthzProviderModel.DefaultTimeout,
        FailOpen = wire.FailOpen,
        StatusOnError = wire.StatusOnError == 0 ? 403 : (int)wire.StatusOnError,
        PathPrefix = wire.PathPrefix,
        RequestHeaders = PatternList.From(wire.IncludeRequestHeaders, ignoreCase: true),
        AdditionalHeaders = [.. wire.AdditionalHeaders.OrderBy(h => h.Key, StringComparer.Ordinal)],
        UpstreamOnAllow = PatternList.From(wire.HeadersToUpstreamOnAllow, ignoreCase: true),
        DownstreamOnAllow = PatternList.From(wire.HeadersToDownstreamOnAllow, ignoreCase: true),
        DownstreamOnDeny = PatternList.From(wire.HeadersToDownstreamOnDeny, ignoreCase: true),
        Body = wire.IncludeBody is { } body ? new ExtAuthzBodySettings((int)Math.Min(body.MaxRequestBytes, int.MaxValue), body.AllowPartialMessage, body.PackAsBytes) : null,
    };
}
