using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Admin;

/// <summary>
/// One path of the admin listener, contributed by a feature (<c>/stats</c>, <c>/certs</c>). The admin
/// stage answers non-GET/HEAD requests with 405 before calling it.
/// </summary>
public interface IAdminEndpoint
{
    /// <summary>The exact path served, e.g. "/stats".</summary>
    string Path { get; }

    Task WriteAsync(HttpContext context);
}
