using System.Net;
using Mesh.Proxy.L4.Model;

namespace Mesh.Proxy.L4.Routing;

/// <summary>
/// Picks a connection's destination (Envoy's filter chain match, then tcp_proxy's weighted
/// clusters): by destination and source address (first matching chain) on TCP, by SNI (most
/// specific server name, then order) on TLS; AUTO_PASSTHROUGH decodes the cluster from the SNI.
/// </summary>
internal static class L4Router
{
    /// <summary>A sidecar's outbound binding or inbound listener.</summary>
    public static L4Route RouteSidecar(L4ListenerRouting routing, string? sni, IPAddress? source, Random random)
    {
        if (routing.App is { } app)
        {
            return new L4Route(null, app, null, 0, null);
        }

        if (routing.Unroutable is { } unroutable)
        {
            return L4Route.Refused(unroutable);
        }

        var chain = routing.MatchBySni ? BySni(routing.Chains, sni, routing.Destination, source) : First(routing.Chains, routing.Destination, source);
        if (chain is not null)
        {
            return Through(chain, random, sni ?? routing.RequestedHost ?? routing.Listener.UpstreamHost, routing.RequestedPort != 0 ? routing.RequestedPort : routing.Listener.UpstreamPort);
        }

        if (routing.Passthrough is { } passthrough)
        {
            return new L4Route(null, null, passthrough.Host, passthrough.Port, null);
        }

        return L4Route.Refused(routing.MatchBySni
            ? sni is null ? "the TLS connection sent no server name (SNI)" : $"no filter chain for server name '{sni}'"
            : "no filter chain matches the connection");
    }

    /// <summary>A gateway connection of <paramref name="server"/>; <paramref name="passthrough"/> when its TLS is not terminated here.</summary>
    public static L4Route RouteGateway(L4Model model, string server, bool passthrough, string? sni, IPAddress? destination, IPAddress? source, int port, Random random)
    {
        if (!model.GatewayServers.TryGetValue(server, out var chains))
        {
            return L4Route.Refused($"no filter chain for gateway server '{server}'");
        }

        if (passthrough)
        {
            if (chains.FirstOrDefault(c => c.AutoPassthrough) is { } auto)
            {
                return AutoPassthrough(model, auto, sni);
            }

            return BySni(chains, sni, destination, source) is { } tlsChain
                ? Through(tlsChain, random, sni, port)
                : L4Route.Refused(sni is null ? "the TLS connection sent no server name (SNI)" : $"no route of gateway server '{server}' for server name '{sni}'");
        }

        // Terminated here: chains with server names (a Gateway API TLSRoute on a Terminate listener)
        // match the handshake's SNI, most specific first; chains without any take every connection
        // in order, so for those this is the first match.
        return BySni(chains, sni, destination, source) is { } chain
            ? Through(chain, random, sni, port)
            : L4Route.Refused($"no route of gateway server '{server}' matches the connection");
    }

    private static L4Route AutoPassthrough(L4Model model, L4FilterChain chain, string? sni)
    {
        if (!AutoPassthroughSni.TryParse(sni, out var clusterName, out var service))
        {
            return L4Route.Refused(sni is null ? "AUTO_PASSTHROUGH needs a server name (SNI)" : $"'{sni}' is not an outbound_.<port>_.<subset>_.<host> server name");
        }

        if (SniPattern.Best(chain.SniHosts, service) < 0)
        {
            return L4Route.Refused($"'{service}' is not among the hosts of the AUTO_PASSTHROUGH server");
        }

        return model.Clusters.TryGetValue(clusterName, out var cluster)
            ? new L4Route(chain, cluster, null, 0, null)
            : L4Route.Refused($"no cluster '{clusterName}' for server name '{sni}'");
    }

    private static L4Route Through(L4FilterChain chain, Random random, string? requestedHost, int port)
    {
        var cluster = chain.Pick(random);
        if (cluster is null)
        {
            return L4Route.Refused($"filter chain '{chain.Name}' has no cluster with weight");
        }

        if (cluster.Balancing != L4Balancing.Passthrough)
        {
            return new L4Route(chain, cluster, null, 0, null);
        }

        // A passthrough cluster (resolution NONE) dials what the client asked for: the SNI, or the binding's host.
        return requestedHost is null || requestedHost == "*"
            ? L4Route.Refused($"cluster '{cluster.Name}' passes connections through, but the connection names no destination")
            : new L4Route(chain, cluster, requestedHost, cluster.Port > 0 ? cluster.Port : port, null);
    }

    private static L4FilterChain? First(IReadOnlyList<L4FilterChain> chains, IPAddress? destination, IPAddress? source)
    {
        foreach (var chain in chains)
        {
            if (chain.MatchesAddresses(destination, source))
            {
                return chain;
            }
        }

        return null;
    }

    private static L4FilterChain? BySni(IReadOnlyList<L4FilterChain> chains, string? sni, IPAddress? destination, IPAddress? source)
    {
        L4FilterChain? best = null;
        var bestScore = -1;
        foreach (var chain in chains)
        {
            var score = SniPattern.Best(chain.SniHosts, sni);
            if (score > bestScore && chain.MatchesAddresses(destination, source))
            {
                best = chain;
                bestScore = score;
            }
        }

        return best;
    }
}
