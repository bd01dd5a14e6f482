using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Snapshot parts this proxy does not serve. A snapshot that sets a top-level field which neither
/// Core nor a registered feature serves (<see cref="IFeatureTranslator.SnapshotFields"/>) is
/// rejected (NACK) naming the field, rather than acknowledged and silently not enforced — e.g.
/// gateway_servers sent to a proxy without the Gateway feature. Features reject the parts of their
/// fields they do not implement themselves.
/// </summary>
internal sealed class UnsupportedFeatureCheck
{
    /// <summary>What Core itself translates (routing) or ignores on purpose (diagnostics).</summary>
    private static readonly string[] CoreFields = ["version", "node", "virtual_hosts", "clusters", "outbound_traffic_policy", "config_generation", "service_addresses"];

    private readonly FieldDescriptor[] _unserved;

    public UnsupportedFeatureCheck(IEnumerable<IFeatureTranslator> features)
    {
        var served = new HashSet<string>(CoreFields, StringComparer.Ordinal);
        foreach (var feature in features)
        {
            served.UnionWith(feature.SnapshotFields);
        }

        _unserved = [.. ProxySnapshot.Descriptor.Fields.InFieldNumberOrder().Where(f => !served.Contains(f.Name))];
    }

    public void Check(ProxySnapshot snapshot, TranslationErrors errors)
    {
        foreach (var field in _unserved)
        {
            if (IsSet(field, snapshot))
            {
                errors.Add(field.Name, "this proxy has no feature that serves it");
            }
        }
    }

    private static bool IsSet(FieldDescriptor field, ProxySnapshot snapshot) => field.Accessor.GetValue(snapshot) switch
    {
        IList list => list.Count > 0,
        string text => text.Length > 0,
        IMessage => true,
        null => false,
        var value => !IsZero(value),
    };

    /// <summary>
    /// A proto3 scalar at its default: numbers and enums at zero (what a new instance of the value's
    /// type holds, found without reflection so the trimmed, ahead-of-time build needs no metadata).
    /// </summary>
    private static bool IsZero(object value) => value switch
    {
        bool flag => !flag,
        IConvertible number => number.ToDouble(System.Globalization.CultureInfo.InvariantCulture) == 0,
        _ => false,
    };
}
