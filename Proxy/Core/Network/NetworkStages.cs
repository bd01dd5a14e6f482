using Mesh.Proxy.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Proxy.Core.Network;

/// <summary>The features' contributions to <see cref="NetworkStage"/>, in stage order (registration order within a stage), for the L4 proxy to run.</summary>
public sealed class NetworkStages
{
    public NetworkStages(IServiceProvider services)
    {
        var registrations = services.GetServices<NetworkStageRegistration>().OrderBy(r => r.Stage).ToList();
        Filters = [.. registrations.Where(r => typeof(INetworkFilter).IsAssignableFrom(r.Implementation)).Select(r => (INetworkFilter)services.GetRequiredService(r.Implementation))];
        Observers = [.. registrations.Where(r => typeof(ITcpSessionObserver).IsAssignableFrom(r.Implementation)).Select(r => (ITcpSessionObserver)services.GetRequiredService(r.Implementation))];
    }

    public IReadOnlyList<INetworkFilter> Filters { get; }

    public IReadOnlyList<ITcpSessionObserver> Observers { get; }
}
