using Google.Protobuf.Reflection;

namespace Mesh.Contracts.Snapshots;

/// <summary>
/// A kind of resource on the incremental discovery stream (<c>StreamDeltas</c>): one top-level
/// field of <see cref="ProxySnapshot"/>, named like the field, or <c>endpoints</c> (the endpoints
/// of one cluster, so endpoint churn does not resend clusters). A repeated message field whose
/// message has a <c>name</c> is a <em>list</em> type: one resource per element, keyed by the
/// element's name, in an order. Any other field is a <em>single</em> type: one resource named "",
/// present when the field is set. The types are derived from the contract, so a field added to
/// <see cref="ProxySnapshot"/> travels on the incremental stream without further code.
/// </summary>
public sealed class SnapshotResourceType
{
    internal SnapshotResourceType(string name, FieldDescriptor field, FieldDescriptor? elementName)
    {
        Name = name;
        Field = field;
        ElementName = elementName;
    }

    /// <summary>The field's name (<c>clusters</c>, <c>virtual_hosts</c>, <c>inbound</c> ...) or <c>endpoints</c>.</summary>
    public string Name { get; }

    /// <summary>One resource per element of the list, keyed by its name; else one resource named "".</summary>
    public bool IsList => ElementName is not null;

    /// <summary>The endpoints of one cluster (carried by the <c>clusters</c> field inside a body).</summary>
    public bool IsEndpoints => Name == SnapshotResources.EndpointsTypeName;

    /// <summary>The <see cref="ProxySnapshot"/> field a body of this type sets (<c>clusters</c> for endpoints).</summary>
    internal FieldDescriptor Field { get; }

    /// <summary>The element's <c>name</c> field, for list types.</summary>
    internal FieldDescriptor? ElementName { get; }

    public override string ToString() => Name;
}

/// <summary>Identifies a resource: its type and its name within the type ("" for single types).</summary>
public readonly record struct SnapshotResourceKey(string Type, string Name)
{
    public override string ToString() => Name.Length == 0 ? Type : $"{Type}/{Name}";
}
