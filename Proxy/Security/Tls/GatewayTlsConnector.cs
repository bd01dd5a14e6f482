using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Proxy.Core.Identity;

namespace Mesh.Proxy.Security.Tls;

/// <summary>
/// The connect callback of a cluster with endpoints on other networks: it dials every destination
/// as the handler would, and to an east-west gateway originates mesh mTLS itself — the workload
/// certificate, Istio's <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;service&gt;</c> SNI (the gateway
/// forwards by it without terminating) and the remote workloads' identities as the only servers
/// accepted — so the handler speaks HTTP over a stream that is already mTLS end to end (HTTP/2 with
/// prior knowledge when the request asks for it, ALPN h2; else HTTP/1.1).
/// </summary>
internal sealed class GatewayTlsConnector(IReadOnlyCollection<string> gateways, string sni, IReadOnlyList<string> expected, WorkloadIdentityState identity)
{
    private static readonly List<SslApplicationProtocol> Http2 = [SslApplicationProtocol.Http2];
    private static readonly List<SslApplicationProtocol> Http11 = [SslApplicationProtocol.Http11];

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        if (!IsGateway(endPoint))
        {
            return stream;
        }

        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var certificate = identity.Certificate ?? throw new AuthenticationException("mesh mTLS needs the workload certificate, which the proxy does not have yet");
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                ClientCertificateContext = certificate.ServerContext,
                ApplicationProtocols = context.InitialRequestMessage.Version.Major >= 2 ? Http2 : Http11,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, presented, chain, _) => ServerCertificateVerifier.AcceptMeshServer(presented, chain, identity, expected),
            }, cancellationToken);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    private bool IsGateway(DnsEndPoint endPoint)
    {
        var host = endPoint.Host.StartsWith('[') ? endPoint.Host : IPAddress.TryParse(endPoint.Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Host}]" : endPoint.Host;
        return gateways.Contains($"{host}:{endPoint.Port}");
    }
}
