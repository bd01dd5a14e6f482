using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.PeerMetadata;
using Mesh.Proxy.L4.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.L4.Upstream;

/// <summary>
/// Dials an upstream: resolves a host name when needed, connects within the cluster's
/// connectTimeout (on the proxy's TimeProvider), sets TCP_NODELAY and the cluster's keepalive, then
/// originates TLS when the cluster says so — mesh mTLS with the workload certificate (ALPN
/// <c>istio-peer-exchange</c>, SNI <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;host&gt;</c> as Istio's
/// sidecars send, the server verified against the trust bundle and the endpoint's identity; then the
/// peer metadata frame), or SIMPLE/MUTUAL origination. Any failure is an <see cref="UpstreamConnectException"/>.
/// </summary>
internal sealed class UpstreamConnector
{
    private static readonly List<SslApplicationProtocol> MeshProtocols = [new(PeerMetadataPreamble.Alpn), new("istio")];

    private readonly WorkloadIdentityState _identity;
    private readonly TimeProvider _time;
    private readonly byte[] _metadata;

    public UpstreamConnector(WorkloadIdentityState identity, TimeProvider time, IOptions<MeshProxyOptions> options)
    {
        _identity = identity;
        _time = time;
        _metadata = PeerMetadataPreamble.Encode(PeerMetadataPreamble.Describe(options.Value.Node));
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> for <paramref name="cluster"/> (null: passthrough without a cluster).</summary>
    /// <param name="originateTls">
    /// False for AUTO_PASSTHROUGH (an east-west gateway): the caller's mTLS, routed by its SNI, goes to
    /// the endpoint as it is — Istio's SNI-DNAT clusters have no TLS of their own.
    /// </param>
    public async Task<UpstreamConnection> ConnectAsync(string host, int port, L4Cluster? cluster, L4Endpoint? endpoint, CancellationToken cancellationToken, bool originateTls = true)
    {
        var pool = cluster?.Pool ?? L4PoolSettings.Default;
        using var timeout = new CancellationTokenSource(pool.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Socket? socket = null;
        try
        {
            socket = await DialAsync(host, port, linked.Token);
            socket.NoDelay = true;
            if (pool.Keepalive is { } keepalive)
            {
                Keepalive(socket, keepalive);
            }

            var address = socket.RemoteEndPoint?.ToString() ?? $"{host}:{port}";
            var stream = new NetworkStream(socket, ownsSocket: false);
            var tls = (originateTls ? cluster?.Tls : null) ?? L4UpstreamTls.None;
            if (endpoint is null || !tls.UsesTlsFor(endpoint))
            {
                return new UpstreamConnection(socket, stream, null, address);
            }

            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(ClientOptions(cluster!, endpoint, tls, host), linked.Token);
            if (tls.Mode == L4TlsMode.IstioMutual && ssl.NegotiatedApplicationProtocol.ToString() == PeerMetadataPreamble.Alpn)
            {
                await ssl.WriteAsync(_metadata, linked.Token);
            }

            return new UpstreamConnection(socket, ssl, ssl, address);
        }
        catch (Exception ex) when (ex is not UpstreamConnectException)
        {
            socket?.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new UpstreamConnectException(Describe(ex, timeout.IsCancellationRequested, pool.ConnectTimeout), ex);
        }
    }

    private static async Task<Socket> DialAsync(string host, int port, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException ex)
            {
                throw new UpstreamConnectException($"DNS resolution of '{host}' failed: {ex.SocketErrorCode}", ex);
            }

            if (addresses.Length == 0)
            {
                throw new UpstreamConnectException($"DNS resolution of '{host}' returned no address");
            }
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private static void Keepalive(Socket socket, L4Keepalive keepalive)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        if (keepalive.Time is { } time)
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Math.Max(1, (int)time.TotalSeconds));
        }

        if (keepalive.Interval is { } interval)
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, (int)interval.TotalSeconds));
        }

        if (keepalive.Probes is { } probes)
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, probes);
        }
    }

    private SslClientAuthenticationOptions ClientOptions(L4Cluster cluster, L4Endpoint endpoint, L4UpstreamTls tls, string host)
    {
        if (tls.Mode == L4TlsMode.IstioMutual)
        {
            var certificate = _identity.Certificate ?? throw new UpstreamConnectException("mesh mTLS needs the workload certificate, which the proxy does not have yet");
            // An east-west gateway stands for the remote endpoints: any of their identities may answer.
            IReadOnlyList<string> expected = tls.SubjectAltNames.Count > 0 ? tls.SubjectAltNames
                : endpoint.Source?.Identities is { Count: > 0 } identities ? identities
                : endpoint.Source?.Identity is { Length: > 0 } identity ? [identity]
                : [];
            return new SslClientAuthenticationOptions
            {
                TargetHost = AutoPassthroughSni.Format(cluster.Port, cluster.Subset, cluster.Service ?? host),
                ClientCertificateContext = certificate.ServerContext,
                ApplicationProtocols = MeshProtocols,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, presented, chain, _) => ServerCertificateVerifier.AcceptMeshServer(presented, chain, _identity, expected),
            };
        }

        var options = new SslClientAuthenticationOptions
        {
            TargetHost = tls.Sni ?? (IPAddress.TryParse(host, out _) && cluster.Service is { } service ? service : host),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, presented, chain, errors) =>
                tls.InsecureSkipVerify || ServerCertificateVerifier.AcceptServer(presented, chain, errors, tls.Roots, tls.SubjectAltNames),
        };
        if (tls.ClientCertificate is { } client)
        {
            options.ClientCertificates = [client];
        }

        return options;
    }

    private static string Describe(Exception ex, bool timedOut, TimeSpan connectTimeout) => ex switch
    {
        OperationCanceledException when timedOut => $"connect timeout ({connectTimeout.TotalMilliseconds:0} ms)",
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.ConnectionReset => "connection reset during connect",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
            _ => socket.Message,
        },
        AuthenticationException auth => $"TLS handshake failed: {auth.Message}",
        IOException io => $"TLS handshake failed: {io.Message}",
        _ => ex.Message,
    };
}
