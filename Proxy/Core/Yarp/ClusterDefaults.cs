namespace Mesh.Proxy.Core.Yarp;

/// <summary>Envoy defaults the mesh applies to every upstream exchange.</summary>
public static class ClusterDefaults
{
    /// <summary>
    /// Envoy's stream idle timeout (5 min): an exchange with no activity in either direction for
    /// this long is ended. Maps to YARP's ActivityTimeout (100 s by default, too short for quiet
    /// gRPC streams).
    /// </summary>
    public static readonly TimeSpan StreamIdleTimeout = TimeSpan.FromMinutes(5);
}
