using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mesh.ServiceDefaults;

/// <summary>
/// Copies the configured headers of the request being served (if any) onto an outgoing
/// request. A header the caller already set on the outgoing request wins: for example
/// gRPC's own user-agent is kept.
/// </summary>
internal sealed class HeaderPropagationHandler : DelegatingHandler
{
    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly string[] _headers;

    public HeaderPropagationHandler(IHttpContextAccessor httpContextAccessor, IOptions<HeaderPropagationOptions> options)
    {
        _httpContextAccessor = httpContextAccessor;
        _headers = options.Value.Headers.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CopyIncomingHeaders(request);
        return base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CopyIncomingHeaders(request);
        return base.Send(request, cancellationToken);
    }

    private void CopyIncomingHeaders(HttpRequestMessage request)
    {
        var incoming = _httpContextAccessor.HttpContext?.Request.Headers;
        if (incoming is null)
        {
            return;
        }

        foreach (var name in _headers)
        {
            if (incoming.TryGetValue(name, out var values) && !request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
    }
}
