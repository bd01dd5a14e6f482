using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mesh.Proxy.Tests.L4;

/// <summary>A TLS client over a raw connection to a proxy port, sending the SNI the test chooses.</summary>
public sealed class TlsTestClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SslStream _tls;
    private StreamReader? _reader;

    private TlsTestClient(Socket socket, SslStream tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>The certificate the server presented.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    /// <param name="sni">The server name to send; null sends none.</param>
    public static async Task<TlsTestClient> ConnectAsync(int port, string? sni, X509Certificate2? clientCertificate = null, IReadOnlyList<string>? alpn = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        var client = new TlsTestClient(socket, tls);
        var options = new SslClientAuthenticationOptions
        {
            // An IP address as target host sends no SNI.
            TargetHost = sni ?? "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                client.ServerCertificate = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return true;
            },
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            ApplicationProtocols = alpn?.Select(p => new SslApplicationProtocol(p)).ToList(),
            EnabledSslProtocols = SslProtocols.None,
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether a TLS handshake with this SNI fails (the proxy closed or reset the connection).</summary>
    public static async Task<bool> HandshakeFailsAsync(int port, string? sni)
    {
        try
        {
            await using var client = await ConnectAsync(port, sni);
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            return true;
        }
    }

    public async Task<string?> ExchangeLineAsync(string line)
    {
        await _tls.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _reader ??= new StreamReader(_tls, Encoding.UTF8, leaveOpen: true);
        return await _reader.ReadLineAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        await _tls.DisposeAsync();
        _socket.Dispose();
    }
}
