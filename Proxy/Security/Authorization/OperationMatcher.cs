using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// Istio's <c>Operation</c>: hosts (the Host header, case-insensitive; a host without a port also
/// matches it with any port), ports (the destination port), methods, and paths (without the
/// query string); every field that is set must hold.
/// </summary>
internal sealed class OperationMatcher
{
    public PatternList? Hosts { get; init; }
    public PatternList? NotHosts { get; init; }
    public int[]? Ports { get; init; }
    public int[]? NotPorts { get; init; }
    public PatternList? Methods { get; init; }
    public PatternList? NotMethods { get; init; }
    public PatternList? Paths { get; init; }
    public PatternList? NotPaths { get; init; }

    public bool Matches(in AuthorizationInput input)
    {
        // Request fields are read only when set (a TCP connection's operations have only ports).
        if ((Methods is not null || NotMethods is not null) && !Field.Check(Methods, NotMethods, input.Context.Request.Method))
        {
            return false;
        }

        if ((Paths is not null || NotPaths is not null) && !Field.Check(Paths, NotPaths, Path(input.Context.Request)))
        {
            return false;
        }

        if (Hosts is not null || NotHosts is not null)
        {
            var host = input.Context.Request.Host.Value ?? "";
            if ((Hosts is not null && !HostMatches(Hosts, host)) || (NotHosts is not null && HostMatches(NotHosts, host)))
            {
                return false;
            }
        }

        return (Ports is null || input.DestinationPortIsAny(Ports)) && (NotPorts is null || !input.DestinationPortIsAny(NotPorts));
    }

    private static string Path(HttpRequest request) => request.PathBase.HasValue ? request.PathBase.Value + request.Path.Value : request.Path.Value ?? "/";

    private static bool HostMatches(PatternList patterns, string host)
    {
        if (patterns.Matches(host))
        {
            return true;
        }

        var colon = host.LastIndexOf(':');
        return colon > 0 && host[^1] != ']' && patterns.Matches(host[..colon]);
    }
}
