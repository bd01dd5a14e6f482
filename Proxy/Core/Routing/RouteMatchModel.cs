using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Routing;

/// <summary>One compiled HTTPMatchRequest: every condition set must hold (AND).</summary>
public sealed class RouteMatchModel
{
    public string? Name { get; init; }

    /// <summary>Matched against the request path without the query string.</summary>
    public StringMatcher? Uri { get; init; }

    public StringMatcher? Scheme { get; init; }

    public StringMatcher? Method { get; init; }

    public StringMatcher? Authority { get; init; }

    public HeaderMatcher[] Headers { get; init; } = [];

    public QueryParamMatcher[] QueryParams { get; init; } = [];

    /// <summary>Service (or gateway) port the request must be addressed to; 0 = any.</summary>
    public int Port { get; init; }

    public bool Matches(HttpRequest request, int servicePort) => FirstMismatch(request, servicePort, out _) == MatchCondition.None;

    /// <summary>
    /// The condition that fails first (<see cref="MatchCondition.None"/>: the block matches), with the
    /// index of the failing header or query parameter. This is the matching itself — <see cref="Matches"/>
    /// is this compared with None — so an explanation reports exactly why routing decided.
    /// </summary>
    public MatchCondition FirstMismatch(HttpRequest request, int servicePort, out int index)
    {
        index = 0;
        if (Port != 0 && Port != servicePort)
        {
            return MatchCondition.Port;
        }

        if (Uri is not null && !Uri.Matches(request.Path.Value))
        {
            return MatchCondition.Uri;
        }

        if (Method is not null && !Method.Matches(request.Method))
        {
            return MatchCondition.Method;
        }

        if (Authority is not null && !Authority.Matches(request.Host.Value))
        {
            return MatchCondition.Authority;
        }

        if (Scheme is not null && !Scheme.Matches(request.Scheme))
        {
            return MatchCondition.Scheme;
        }

        var headers = Headers;
        for (var i = 0; i < headers.Length; i++)
        {
            if (!headers[i].Matches(request))
            {
                index = i;
                return MatchCondition.Header;
            }
        }

        var queryParams = QueryParams;
        for (var i = 0; i < queryParams.Length; i++)
        {
            if (!queryParams[i].Matches(request))
            {
                index = i;
                return MatchCondition.QueryParam;
            }
        }

        return MatchCondition.None;
    }
}

/// <summary>Which condition of a <see cref="RouteMatchModel"/> a request failed.</summary>
public enum MatchCondition
{
    None,
    Port,
    Uri,
    Method,
    Authority,
    Scheme,
    Header,
    QueryParam,
}
