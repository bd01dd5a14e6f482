using System.Text;
using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Headers;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.LocalReplies;

/// <summary>
/// The action of a route that answers by itself: Istio <c>redirect</c> (status and Location, no
/// body) or <c>directResponse</c> (status and body). The route's response header operations apply,
/// as Envoy applies them to redirects and direct responses.
/// </summary>
internal sealed class LocalReplyFilter : IRouteFilter, IExplainableRouteFilter
{
    private readonly RedirectModel? _redirect;
    private readonly int _status;
    private readonly ReadOnlyMemory<byte> _body;
    private readonly HeaderOperationsModel? _responseHeaders;

    private LocalReplyFilter(RedirectModel? redirect, int status, string? body, HeaderOperationsModel? responseHeaders)
    {
        _redirect = redirect;
        _status = status;
        _body = string.IsNullOrEmpty(body) ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(body);
        _responseHeaders = responseHeaders;
    }

    public static LocalReplyFilter Redirect(RedirectModel redirect, HeaderOperationsModel? responseHeaders)
        => new(redirect, redirect.StatusCode, null, responseHeaders);

    public static LocalReplyFilter DirectResponse(int status, string? body, HeaderOperationsModel? responseHeaders)
        => new(null, status, body, responseHeaders);

    /// <summary>The route answers itself: the redirect's Location or the direct response's status.</summary>
    public void Explain(ExplainContext context)
    {
        if (_redirect is not null)
        {
            var location = _redirect.Location(context.HttpContext.Request, context.Routing.VirtualHost);
            context.Set("redirect", location);
            context.Add(new ExplainStep("DirectResponse", "redirect", $"{_status} to {location}"));
            context.End(_status, "redirect");
            return;
        }

        context.Set("direct_response", _status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Add(new ExplainStep("DirectResponse", "direct response", $"the route answers {_status} with a {_body.Length}-byte body"));
        context.End(_status, "direct response");
    }

    public async ValueTask<bool> OnRequestAsync(HttpContext context, RoutingResult request)
    {
        var response = context.Response;
        response.StatusCode = _status;
        if (_redirect is not null)
        {
            response.Headers.Location = _redirect.Location(context.Request, request.VirtualHost);
        }

        _responseHeaders?.ApplyTo(response.Headers);
        if (_body.IsEmpty)
        {
            response.ContentLength = 0;
            return false;
        }

        response.ContentType ??= "text/plain";
        response.ContentLength = _body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(_body, context.RequestAborted);
        }

        return false;
    }
}
