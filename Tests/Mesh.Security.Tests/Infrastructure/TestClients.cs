using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>HTTP clients for tests: plaintext, and TLS with a chosen client certificate (or none).</summary>
public static class TestClients
{
    public static HttpClient Plain() => new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>A TLS client that accepts any server certificate and presents <paramref name="clientCertificate"/>.</summary>
    public static HttpClient Tls(X509Certificate2? clientCertificate, Version? version = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }
}
