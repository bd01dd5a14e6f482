namespace Mesh.Config.Model.Common;

/// <summary>
/// Overrides the YAML field name derived from the property name (PascalCase → camelCase),
/// and lists accepted legacy spellings (Istio keeps a few snake_case aliases such as
/// <c>jwks_uri</c> and <c>mirror_percent</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class YamlNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public string[] Aliases { get; init; } = [];
}

/// <summary>The Istio spelling of an enum member when it is not the UPPER_SNAKE form of its C# name.</summary>
[AttributeUsage(AttributeTargets.Field)]
internal sealed class IstioNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
