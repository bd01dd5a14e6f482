using System.Globalization;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.LocalReplies;

/// <summary>
/// A compiled Istio <c>redirect</c>, building the Location as Envoy's <c>newUri</c> does: scheme,
/// authority and path each replaced when set, else taken from the request; <c>uri</c> replaces the
/// whole path and keeps the request's query unless it carries its own; a port from the request is
/// dropped when a new port is set or when the scheme changes away from its default port.
/// </summary>
internal sealed class RedirectModel
{
    public string? Scheme { get; init; }

    public string? Authority { get; init; }

    /// <summary>0: no explicit port.</summary>
    public int Port { get; init; }

    /// <summary>Istio <c>derivePort: FROM_REQUEST_PORT</c>: the port the route was reached on.</summary>
    public bool DerivePortFromRequest { get; init; }

    public string? Uri { get; init; }

    public int StatusCode { get; init; } = StatusCodes.Status301MovedPermanently;

    public string Location(HttpRequest request, VirtualHostModel? virtualHost)
    {
        var requestScheme = request.Scheme;
        var scheme = Scheme ?? requestScheme;
        var port = Port != 0 ? Port : DerivePortFromRequest ? RequestPort(request, virtualHost) : 0;

        string host;
        if (Authority is not null)
        {
            host = port != 0 ? HostHeader.Split(Authority, out _).ToString() : Authority;
        }
        else
        {
            var requestHost = request.Host.Value ?? string.Empty;
            var bare = HostHeader.Split(requestHost, out var requestPort);
            var dropPort = port != 0
                || (!string.Equals(scheme, requestScheme, StringComparison.OrdinalIgnoreCase)
                    && ((requestPort == 443 && requestScheme == "https") || (requestPort == 80 && requestScheme == "http")));
            host = dropPort ? bare.ToString() : requestHost;
        }

        if (port != 0)
        {
            host = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        }

        string path;
        if (Uri is null)
        {
            path = request.PathBase + request.Path + request.QueryString;
        }
        else
        {
            path = Uri.Contains('?', StringComparison.Ordinal) || !request.QueryString.HasValue ? Uri : Uri + request.QueryString.Value;
        }

        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        return string.Concat(scheme, "://", host, path);
    }

    private static int RequestPort(HttpRequest request, VirtualHostModel? virtualHost)
    {
        // Istio generates routes per port, so "the request's port" is the port the route serves.
        if (virtualHost is not null && virtualHost.Port > 0)
        {
            return virtualHost.Port;
        }

        HostHeader.Split(request.Host.Value, out var port);
        return port > 0 ? port : request.IsHttps ? 443 : 80;
    }
}
