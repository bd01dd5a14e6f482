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

    public bool Matches(HttpRequest request, int servicePort)
    {
        if (Port != 0 && Port != servicePort)
        {
            return false;
        }

        if (Uri is not null && !Uri.Matches(request.Path.Value))
        {
            return false;
        }

        if (Method is not null && !Method.Matches(request.Method))
        {
            return false;
        }

        if (Authority is not null && !Authority.Matches(request.Host.Value))
        {
            return false;
        }

        if (Scheme is not null && !Scheme.Matches(request.Scheme))
        {
            return false;
        }

        var headers = Headers;
        for (var i = 0; i < headers.Length; i++)
        {
            if (!headers[i].Matches(request))
            {
                return false;
            }
        }

        var queryParams = QueryParams;
        for (var i = 0; i < queryParams.Length; i++)
        {
            if (!queryParams[i].Matches(request))
            {
                return false;
            }
        }

        return true;
    }
}
