using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Snapshot features this proxy does not implement yet. A snapshot using one is rejected (NACK)
/// naming the field, rather than acknowledged and silently not enforced. Remove a check here
/// in the same change that implements the feature. (Nothing is listed at the moment: gateway TLS
/// termination and httpsRedirect are in Proxy/Gateway, which rejects TCP servers itself.)
/// </summary>
public static class UnsupportedFeatureCheck
{
    public static void Check(ProxySnapshot snapshot, TranslationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(errors);
    }
}
