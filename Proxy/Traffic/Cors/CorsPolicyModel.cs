using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Mesh.Proxy.Traffic.Cors;

/// <summary>
/// A route's compiled Istio <c>corsPolicy</c>, with the semantics of Envoy's CORS filter: an origin
/// is allowed when a pattern matches it or matches "*"; allowed origins are echoed, never "*";
/// preflights (OPTIONS + Origin + Access-Control-Request-Method) are answered by the proxy; actual
/// requests from an allowed origin get Access-Control-Allow-Origin, -Allow-Credentials and
/// -Expose-Headers on the response.
/// </summary>
internal sealed class CorsPolicyModel
{
    public CorsPolicyModel(StringMatcher[] allowOrigins)
    {
        AllowOrigins = allowOrigins;
    }

    public StringMatcher[] AllowOrigins { get; }

    /// <summary>Comma-joined, as Istio hands them to Envoy; "*" echoes the preflight's requested value.</summary>
    public string? AllowMethods { get; init; }

    public string? AllowHeaders { get; init; }

    public string? ExposeHeaders { get; init; }

    /// <summary>Seconds, as text; null when unset.</summary>
    public string? MaxAge { get; init; }

    public bool AllowCredentials { get; init; }

    /// <summary>Istio <c>unmatchedPreflights</c>: FORWARD (default) passes preflights from other origins upstream; IGNORE answers them without CORS headers.</summary>
    public bool ForwardUnmatchedPreflights { get; init; } = true;

    public bool IsOriginAllowed(ReadOnlySpan<char> origin)
    {
        foreach (var matcher in AllowOrigins)
        {
            if (matcher.Matches("*") || matcher.Matches(origin))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds the response headers of an actual (non-preflight) request from an allowed origin.</summary>
    public void ApplyToResponse(HttpRequest request, IHeaderDictionary responseHeaders)
    {
        var origin = request.Headers.Origin;
        if (origin.Count == 0 || string.IsNullOrEmpty(origin[0]) || !IsOriginAllowed(origin[0]))
        {
            return;
        }

        responseHeaders.AccessControlAllowOrigin = origin[0];
        if (AllowCredentials)
        {
            responseHeaders.AccessControlAllowCredentials = "true";
        }

        if (ExposeHeaders is not null)
        {
            responseHeaders.AccessControlExposeHeaders = ExposeHeaders;
        }
    }

    /// <summary>Writes the preflight answer (status 200, no body).</summary>
    public void WritePreflight(HttpRequest request, HttpResponse response, bool originAllowed)
    {
        response.StatusCode = StatusCodes.Status200OK;
        var headers = response.Headers;
        if (originAllowed)
        {
            headers.AccessControlAllowOrigin = request.Headers.Origin[0];
        }

        if (AllowCredentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        if (AllowMethods is not null)
        {
            headers.AccessControlAllowMethods = AllowMethods == "*" ? request.Headers.AccessControlRequestMethod : AllowMethods;
        }

        if (AllowHeaders is not null)
        {
            headers.AccessControlAllowHeaders = AllowHeaders == "*" ? request.Headers.AccessControlRequestHeaders : AllowHeaders;
        }

        if (MaxAge is not null)
        {
            headers.AccessControlMaxAge = MaxAge;
        }

        response.ContentLength = 0;
    }

    public static bool IsPreflight(HttpRequest request)
        => HttpMethods.IsOptions(request.Method) && !string.IsNullOrEmpty(request.Headers[HeaderNames.AccessControlRequestMethod]);
}
