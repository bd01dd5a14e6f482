using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Tls;

namespace Mesh.Proxy.Security.Explain;

/// <summary>
/// The outbound half of the mTLS hop: how this proxy dials the cluster's endpoints, as the
/// translator's <see cref="UpstreamTlsPlan"/> decided it (DestinationRule tls.mode, or auto mTLS to
/// endpoints with sidecars) and left it in the YARP cluster — the mode in the cluster's metadata, the
/// scheme in each destination's address. Explained with the attempt (after the weighted pick).
/// </summary>
internal sealed class UpstreamTlsExplainer : IRequestExplainer
{
    public ProxyStage Stage => ProxyStage.LoadBalancing;

    public ValueTask ExplainAsync(ExplainContext context)
    {
        if (context.Routing.Cluster is not { IsBound: true, IsPassthrough: false } cluster || cluster.Name.StartsWith("inbound|", StringComparison.Ordinal))
        {
            return ValueTask.CompletedTask;
        }

        var config = cluster.State.Model.Config;
        var mode = config.Metadata is { } metadata && metadata.TryGetValue(UpstreamTlsMetadata.Mode, out var value) ? value : null;
        var destinations = config.Destinations ?? new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig>();
        var tls = destinations.Count(d => d.Value.Address.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        var summary = mode switch
        {
            null => "plaintext to every endpoint (no DestinationRule TLS, and no endpoint has a sidecar or the mesh has no CA)",
            UpstreamTlsMetadata.IstioMutual when tls == destinations.Count => "ISTIO_MUTUAL: mesh mTLS to every endpoint",
            UpstreamTlsMetadata.IstioMutual => $"ISTIO_MUTUAL (auto mTLS) to the {tls} endpoint(s) with a sidecar; plaintext to the other {destinations.Count - tls}",
            _ => $"{mode}: TLS origination to every endpoint",
        };
        if (context.Routing.Cluster == cluster)
        {
            context.Set("outbound_tls", mode ?? "DISABLE");
        }

        context.Add(new ExplainStep("UpstreamTls", mode ?? "plaintext", $"{cluster.Name}: {summary}"));
        return ValueTask.CompletedTask;
    }
}
