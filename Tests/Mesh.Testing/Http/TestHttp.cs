using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Testing.Http;

/// <summary>
/// HTTP clients for tests: direct (no system proxy, no redirects), through a proxy's HTTP_PROXY
/// listener, and TLS with a chosen client certificate.
/// </summary>
public static class TestHttp
{
    /// <summary>A request budget sized for a busy CI machine; a hang guard, not a timing goal.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <param name="pooled">False: a new connection per request (no connection reuse between calls).</param>
    public static HttpClient CreateClient(TimeSpan? timeout = null, bool pooled = true) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = pooled ? TimeSpan.FromSeconds(30) : TimeSpan.Zero,
    })
    {
        Timeout = timeout ?? Timeout,
    };

    /// <summary>A client configured like an app with HTTP_PROXY pointing at the sidecar catch-all listener.</summary>
    public static HttpClient CreateProxiedClient(int proxyPort) => new(new SocketsHttpHandler
    {
        UseProxy = true,
        Proxy = new WebProxy($"http://127.0.0.1:{proxyPort}") { BypassProxyOnLocal = false },
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout,
    };

    /// <summary>A TLS client that accepts any server certificate and presents <paramref name="clientCertificate"/>.</summary>
    public static HttpClient CreateTlsClient(X509Certificate2? clientCertificate, Version? version = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler)
        {
            Timeout = Timeout,
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public static Uri Local(int port, string path = "/") => new($"http://127.0.0.1:{port}{path}");
}
