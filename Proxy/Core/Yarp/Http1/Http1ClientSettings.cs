using System.Diagnostics;
using System.Net.Security;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// What the mesh's HTTP/1.1 client takes from the cluster's configured SocketsHttpHandler (after
/// Core and the features' <see cref="IUpstreamClientConfigurator"/>s shaped it), so both clients
/// of a cluster connect, verify and time out alike.
/// </summary>
internal sealed class Http1ClientSettings
{
    private readonly SslClientAuthenticationOptions _ssl;

    public Http1ClientSettings(SocketsHttpHandler handler)
    {
        ConnectTimeout = handler.ConnectTimeout;
        IdleTimeout = handler.PooledConnectionIdleTimeout;
        MaxConnections = handler.MaxConnectionsPerServer;
        MaxResponseHeaderBytes = handler.MaxResponseHeadersLength * 1024;
        Propagator = handler.ActivityHeadersPropagator;
        _ssl = handler.SslOptions;
    }

    public TimeSpan ConnectTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public int MaxConnections { get; }

    public int MaxResponseHeaderBytes { get; }

    public DistributedContextPropagator? Propagator { get; }

    /// <summary>The cluster's TLS settings for one handshake: its certificate selection and server verification, ALPN http/1.1, SNI the host unless the cluster names one.</summary>
    public SslClientAuthenticationOptions SslOptionsFor(string host) => new()
    {
        TargetHost = string.IsNullOrEmpty(_ssl.TargetHost) ? host : _ssl.TargetHost,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
        EnabledSslProtocols = _ssl.EnabledSslProtocols,
        CertificateRevocationCheckMode = _ssl.CertificateRevocationCheckMode,
        ClientCertificates = _ssl.ClientCertificates,
        ClientCertificateContext = _ssl.ClientCertificateContext,
        LocalCertificateSelectionCallback = _ssl.LocalCertificateSelectionCallback,
        RemoteCertificateValidationCallback = _ssl.RemoteCertificateValidationCallback,
        CertificateChainPolicy = _ssl.CertificateChainPolicy,
        CipherSuitesPolicy = _ssl.CipherSuitesPolicy,
        AllowRenegotiation = _ssl.AllowRenegotiation,
    };
}
