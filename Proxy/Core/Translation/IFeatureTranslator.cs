using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// A feature's share of snapshot translation (registered with <c>ProxyFeatureBuilder.AddTranslator</c>):
/// for each snapshot Core calls <see cref="Begin"/>, then the returned translation's hooks while it
/// translates clusters, routes, virtual hosts and listeners, then — only when the whole snapshot
/// translated without an error — <see cref="FeatureTranslation.OnTranslated"/>. Translation is pure
/// but for the feature's own live state; any problem is an error naming the field (the snapshot is NACKed).
/// </summary>
public interface IFeatureTranslator
{
    /// <summary>
    /// Top-level <c>ProxySnapshot</c> fields (proto names, e.g. "gateway_servers") this feature
    /// serves. A snapshot that sets a field that neither Core nor a registered feature serves is
    /// rejected rather than silently not enforced.
    /// </summary>
    IReadOnlyCollection<string> SnapshotFields { get; }

    FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors);
}

/// <summary>One snapshot's translation on a feature's side; the hooks run in the order declared here.</summary>
public abstract class FeatureTranslation
{
    /// <summary>Each snapshot cluster, before Core builds its YARP cluster.</summary>
    public virtual void TranslateCluster(ClusterTranslation cluster)
    {
    }

    /// <summary>Each route, once its matches and action are compiled.</summary>
    public virtual void TranslateRoute(RouteTranslation route)
    {
    }

    /// <summary>Each virtual host, once its routes are compiled.</summary>
    public virtual void TranslateVirtualHost(VirtualHostTranslation virtualHost)
    {
    }

    /// <summary>How each listener finds its virtual hosts (Core routes the sidecar's listeners; a feature may route others).</summary>
    public virtual void TranslateListeners(ListenerTranslation listeners)
    {
    }

    /// <summary>The snapshot translated without an error: attach the feature's snapshot-level model.</summary>
    public virtual void OnTranslated(SnapshotTranslation snapshot)
    {
    }
}
