using System.Collections;
using Google.Protobuf;

namespace Mesh.Contracts.Snapshots;

/// <summary>
/// One part of a snapshot as <see cref="SnapshotResources.Split(ProxySnapshot)"/> cuts it: a list element (a
/// cluster without its endpoints, a virtual host ...), a cluster's endpoints, or the value of a
/// single-valued field. Its <see cref="Body"/> is what travels as <c>Resource.body</c>: a
/// <see cref="ProxySnapshot"/> holding only this part.
/// </summary>
public sealed class SnapshotPart
{
    internal SnapshotPart(SnapshotResourceType type, string name, object value)
    {
        Type = type;
        Name = name;
        Value = value;
    }

    public SnapshotResourceType Type { get; }

    /// <summary>The resource name: the element's name (made unique within the type, see <see cref="SnapshotResources"/>), "" for single types.</summary>
    public string Name { get; }

    public SnapshotResourceKey Key => new(Type.Name, Name);

    /// <summary>
    /// The element (list types), the whole <see cref="Cluster"/> (clusters and endpoints: the
    /// body takes only its own half), or the field's value (single types). Shared with the
    /// snapshot it came from: never mutated.
    /// </summary>
    public object Value { get; }

    /// <summary>A snapshot holding only this part (a cluster without endpoints, or a cluster with only its name and endpoints).</summary>
    public ProxySnapshot Body()
    {
        var body = new ProxySnapshot();
        if (Type.IsEndpoints)
        {
            var cluster = (Cluster)Value;
            var endpoints = new Cluster { Name = cluster.Name };
            endpoints.Endpoints.Add(cluster.Endpoints);
            body.Clusters.Add(endpoints);
        }
        else if (Type.Field.FieldNumber == ProxySnapshot.ClustersFieldNumber)
        {
            body.Clusters.Add(MessageCopier.Without((Cluster)Value, Cluster.EndpointsFieldNumber));
        }
        else if (Type.IsList)
        {
            ((IList)Type.Field.Accessor.GetValue(body)).Add(Value);
        }
        else if (Type.Field.IsRepeated)
        {
            var target = (IList)Type.Field.Accessor.GetValue(body);
            foreach (var item in (IList)Value)
            {
                target.Add(item);
            }
        }
        else
        {
            Type.Field.Accessor.SetValue(body, Value);
        }

        return body;
    }

    /// <summary>The part a received body holds (the inverse of <see cref="Body"/>).</summary>
    public static SnapshotPart FromBody(SnapshotResourceType type, string name, ProxySnapshot body)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(body);
        object? value;
        if (type.IsList)
        {
            var list = (IList)type.Field.Accessor.GetValue(body);
            if (list.Count != 1)
            {
                throw new InvalidDataException($"a {type.Name} resource must hold exactly one element, got {list.Count}");
            }

            value = list[0];
        }
        else
        {
            value = type.Field.Accessor.GetValue(body);
        }

        return new SnapshotPart(type, name, value ?? throw new InvalidDataException($"the {type.Name} resource is empty"));
    }

    internal static bool IsSet(SnapshotResourceType type, ProxySnapshot snapshot)
    {
        var field = type.Field;
        if (field.IsRepeated || field.IsMap)
        {
            return ((ICollection)field.Accessor.GetValue(snapshot)).Count > 0;
        }

        if (field.HasPresence)
        {
            return field.Accessor.HasValue(snapshot);
        }

        var value = field.Accessor.GetValue(snapshot);
        return value switch
        {
            string text => text.Length > 0,
            ByteString bytes => bytes.Length > 0,
            bool flag => flag,
            _ => !IsZero(value),
        };
    }

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
