using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>
/// An HTTPS client for a gateway listener on 127.0.0.1: every connection goes to that port
/// whatever host the URL names, so the URL's host is the SNI (an IP address sends none). It
/// records the certificate each handshake presented and accepts it (tests assert on it).
/// </summary>
public sealed class GatewayTlsClient : IDisposable
{
    private readonly int _port;
    private X509Certificate2? _lastServerCertificate;

    public GatewayTlsClient(int port, X509Certificate2? clientCertificate = null, SslProtocols protocols = SslProtocols.None, Version? version = null, bool reuseConnections = false)
    {
        _port = port;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,

            // By default one request per connection: each request is a fresh handshake (SNI and certificate swaps are observable).
            PooledConnectionLifetime = reuseConnections ? TimeSpan.FromMinutes(1) : TimeSpan.Zero,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, _port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    Volatile.Write(ref _lastServerCertificate, certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                    return true;
                },
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            },
        };
        Client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        Version = version ?? HttpVersion.Version11;
    }

    public HttpClient Client { get; }

    public Version Version { get; }

    /// <summary>The certificate the last handshake presented.</summary>
    public X509Certificate2? LastServerCertificate => Volatile.Read(ref _lastServerCertificate);

    /// <summary>GET https://<paramref name="sni"/>:port<paramref name="path"/> (the URL's host is SNI and Host).</summary>
    public Task<HttpResponseMessage> GetAsync(string sni, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"https://{sni}:{_port}{path}")
        {
            Version = Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        return Client.SendAsync(request);
    }

    /// <summary>The subject CN of the certificate a fresh handshake for <paramref name="sni"/> presents.</summary>
    public async Task<string> CertificateForAsync(string sni)
    {
        using var response = await GetAsync(sni, "/");
        return LastServerCertificate!.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }

    /// <summary>
    /// One HTTP/1.1 request on a raw TLS connection whose SNI and Host differ (HttpClient would
    /// use the Host header as SNI); returns the status code.
    /// </summary>
    public async Task<int> RawStatusAsync(string sni, string host, string path)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _port);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        await tls.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(tls, System.Text.Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => Client.Dispose();
}
