namespace Mesh.Config.Model.Common;

// What Mesh does with an Istio field that it parses. A field without one of these is
// implemented. The validators act on Refused; docs/istio-api-fields.md is generated from all
// three (Tests/Mesh.Config.Tests/IstioApi keeps it in step).

/// <summary>Mesh refuses the field when it is set, naming it and giving this reason.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class RefusedAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

/// <summary>Mesh accepts the field and does not act on it; the reason says why that is safe.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class IgnoredAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

/// <summary>Implemented, with limits the validators enforce (named here so the field table lists them).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class LimitedAttribute(string limits) : Attribute
{
    public string Limits { get; } = limits;
}
