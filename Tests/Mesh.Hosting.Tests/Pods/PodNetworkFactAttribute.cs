namespace Mesh.Hosting.Tests.Pods;

/// <summary>A fact that needs network namespaces, a bridge and mount namespaces (root on Linux); skipped with the reason otherwise.</summary>
public sealed class PodNetworkFactAttribute : FactAttribute
{
    public PodNetworkFactAttribute()
    {
        if (PodNetwork.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
