using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Mesh.Config.Model.MeshConfiguration;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The ext_authz providers of a proxy's CUSTOM policies, from the mesh config's
/// <c>extensionProviders</c>: each named provider once, with the outbound cluster of its service
/// and port (the snapshot builder adds those clusters). A provider whose service or port is not in the
/// registry gets no cluster: as Istio, the requests its policies select are then denied.
/// </summary>
internal static class ExtAuthzSnapshotBuilder
{
    /// <summary>Adds the providers to <paramref name="inbound"/>; returns the (host, port) of the clusters they call.</summary>
    public static List<(string Host, uint Port)> Build(MeshConfig meshConfig, Wire.InboundPolicy inbound, ServiceIndex services)
    {
        var clusters = new List<(string Host, uint Port)>();
        var names = inbound.Authorization.Where(p => p.Action == Wire.AuthorizationPolicy.Types.Action.Custom)
            .Select(p => p.Provider).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // Validation guarantees the provider exists in the accepted mesh config.
            if (meshConfig.ExtensionProviders.FirstOrDefault(p => p.Name == name) is not { } provider)
            {
                inbound.ExtAuthz.Add(new Wire.ExtAuthzProvider { Name = name });
                continue;
            }

            var wire = provider.EnvoyExtAuthzGrpc is { } grpc ? Grpc(name, grpc) : Http(name, provider.EnvoyExtAuthzHttp!);
            var (service, port) = provider.EnvoyExtAuthzGrpc is { } g ? (g.Service!, g.Port) : (provider.EnvoyExtAuthzHttp!.Service!, provider.EnvoyExtAuthzHttp.Port);
            if (Resolve(service, port, services) is { } host)
            {
                wire.Cluster = $"outbound|{port}||{host}";
                wire.Authority = $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
                clusters.Add((host, port));
            }

            inbound.ExtAuthz.Add(wire);
        }

        return clusters;
    }

    // `[<namespace>/]<hostname>`: a registry service or ServiceEntry host that has the port.
    private static string? Resolve(string service, uint port, ServiceIndex services)
    {
        var slash = service.IndexOf('/');
        var ns = slash < 0 ? null : service[..slash];
        var model = services.Find(slash < 0 ? service : service[(slash + 1)..]);
        return model is not null && (ns is null || model.Namespace == ns) && model.FindPort(port) is not null ? model.Hostname : null;
    }

    private static Wire.ExtAuthzProvider Grpc(string name, ExtAuthzGrpcProvider grpc)
    {
        var wire = Common(name, grpc.Timeout, grpc.FailOpen, grpc.StatusOnError, grpc.IncludeRequestBodyInCheck);
        wire.Grpc = true;
        return wire;
    }

    private static Wire.ExtAuthzProvider Http(string name, ExtAuthzHttpProvider http)
    {
        var wire = Common(name, http.Timeout, http.FailOpen, http.StatusOnError, http.IncludeRequestBodyInCheck);
        wire.PathPrefix = http.PathPrefix ?? "";
        wire.IncludeRequestHeaders.AddRange(http.IncludeRequestHeadersInCheck.Concat(http.IncludeHeadersInCheck).Distinct(StringComparer.Ordinal));
        foreach (var (header, value) in http.IncludeAdditionalHeadersInCheck)
        {
            wire.AdditionalHeaders[header] = value;
        }

        wire.HeadersToUpstreamOnAllow.AddRange(http.HeadersToUpstreamOnAllow);
        wire.HeadersToDownstreamOnAllow.AddRange(http.HeadersToDownstreamOnAllow);
        wire.HeadersToDownstreamOnDeny.AddRange(http.HeadersToDownstreamOnDeny);
        return wire;
    }

    private static Wire.ExtAuthzProvider Common(string name, TimeSpan? timeout, bool failOpen, string? statusOnError, ExtAuthzRequestBody? body)
    {
        var wire = new Wire.ExtAuthzProvider
        {
            Name = name,
            FailOpen = failOpen,
            StatusOnError = string.IsNullOrEmpty(statusOnError) ? 403u : uint.Parse(statusOnError, CultureInfo.InvariantCulture),
        };
        if (timeout is { } value)
        {
            wire.Timeout = Duration.FromTimeSpan(value);
        }

        if (body is not null)
        {
            wire.IncludeBody = new Wire.ExtAuthzBody
            {
                MaxRequestBytes = body.MaxRequestBytes,
                AllowPartialMessage = body.AllowPartialMessage,
                PackAsBytes = body.PackAsBytes,
            };
        }

        return wire;
    }
}
