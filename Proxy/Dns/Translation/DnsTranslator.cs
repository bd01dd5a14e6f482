using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Dns.Model;
using Microsoft.Extensions.Options;
using ProxySnapshot = Mesh.Contracts.Snapshots.ProxySnapshot;

namespace Mesh.Proxy.Dns.Translation;

/// <summary>The DNS feature's share of snapshot translation: <c>service_addresses</c> into the name table (when the DNS proxy is on).</summary>
internal sealed class DnsTranslator(IOptions<MeshProxyOptions> options) : IFeatureTranslator
{
    private readonly Lazy<IReadOnlyList<string>> _search = new(() => ResolvConf.Read(options.Value.Dns.ResolvConf).Search);

    public IReadOnlyCollection<string> SnapshotFields { get; } = ["service_addresses"];

    public FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors) => new Translation(snapshot, errors, options.Value, _search);

    private sealed class Translation(ProxySnapshot snapshot, TranslationErrors errors, MeshProxyOptions options, Lazy<IReadOnlyList<string>> search) : FeatureTranslation
    {
        public override void OnTranslated(SnapshotTranslation translated)
        {
            if (options.Dns.Enabled)
            {
                translated.SetModel(DnsNameTableTranslator.Translate(snapshot.ServiceAddresses, options.Node.Namespace, options.Dns.ClusterDomain, search.Value, errors));
            }
        }
    }
}
