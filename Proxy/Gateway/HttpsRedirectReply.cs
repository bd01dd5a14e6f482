using System.Globalization;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// <c>tls.httpsRedirect</c>: Envoy's <c>require_tls</c> answer to a plaintext request, 301 to the
/// same host and path over https. One difference from Envoy, which keeps the Host as sent: a Host
/// with an explicit port gets the port of the gateway's TLS listener, so a local
/// http://localhost:8080/x goes to https://localhost:8443/x rather than to a TLS handshake on 8080.
/// </summary>
internal static class HttpsRedirectReply
{
    public static void Write(HttpContext context, GatewayListenerRoutes routes)
    {
        var authority = context.Request.Host.Value ?? "";
        var host = HostHeader.Split(authority, out var port);
        var location = port >= 0 && routes.HttpsPort is { } httpsPort
            ? string.Concat("https://", host.ToString(), ":", httpsPort.ToString(CultureInfo.InvariantCulture), Target(context))
            : string.Concat("https://", authority, Target(context));

        var response = context.Response;
        response.StatusCode = StatusCodes.Status301MovedPermanently;
        response.Headers.Location = location;
        response.ContentLength = 0;
    }

    /// <summary>The request target as the client sent it (encoding preserved), as Envoy copies :path.</summary>
    private static string Target(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            return raw;
        }

        var request = context.Request;
        return string.Concat(request.PathBase.ToUriComponent(), request.Path.ToUriComponent(), request.QueryString.ToUriComponent());
    }
}
