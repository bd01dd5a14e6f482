using System.Collections.Concurrent;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>Records the mTLS peer of every inbound L4 connection a sidecar served: identity and certificate.</summary>
public sealed class TcpSessionRecorder : ITcpSessionObserver
{
    public sealed record Seen(string? Peer, string? CertificateThumbprint);

    public ConcurrentQueue<Seen> Sessions { get; } = new();

    /// <summary>Adds this recorder to a sidecar's network observers (<c>WorkloadSpec.ConfigureServices</c>).</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton(this);
        services.AddSingleton(new NetworkStageRegistration(NetworkStage.Observers, typeof(TcpSessionRecorder), "test"));
    }

    public void OnOpened(TcpProxySession session)
    {
        if (session.IsInbound)
        {
            Sessions.Enqueue(new Seen(session.Peer?.Identity.Uri, session.Peer?.Certificate.Thumbprint));
        }
    }

    public void OnClosed(TcpProxySession session)
    {
    }
}
