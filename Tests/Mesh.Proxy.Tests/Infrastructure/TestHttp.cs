using System.Net;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>HTTP clients for tests: direct (no system proxy), and one that uses a proxy (absolute-form requests).</summary>
public static class TestHttp
{
    public static HttpClient CreateClient(TimeSpan? timeout = null) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = timeout ?? TimeSpan.FromSeconds(20),
    };

    /// <summary>A client configured like an app with HTTP_PROXY pointing at the sidecar catch-all listener.</summary>
    public static HttpClient CreateProxiedClient(int proxyPort) => new(new SocketsHttpHandler
    {
        UseProxy = true,
        Proxy = new WebProxy($"http://127.0.0.1:{proxyPort}") { BypassProxyOnLocal = false },
        AllowAutoRedirect = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(20),
    };

    public static Uri Local(int port, string path = "/") => new($"http://127.0.0.1:{port}{path}");
}
