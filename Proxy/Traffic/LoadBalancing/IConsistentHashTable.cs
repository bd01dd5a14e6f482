using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>A consistent-hash lookup structure over one set of endpoints (ring hash or Maglev).</summary>
internal interface IConsistentHashTable
{
    /// <summary>The endpoint list the table was built from (YARP's available destinations of the cluster).</summary>
    IReadOnlyList<DestinationState> Destinations { get; }

    /// <summary>The endpoint for <paramref name="hash"/>, moving on to one in <paramref name="available"/> when its owner is not (retries exclude endpoints already tried).</summary>
    DestinationState? Pick(ulong hash, IReadOnlyList<DestinationState> available);
}
