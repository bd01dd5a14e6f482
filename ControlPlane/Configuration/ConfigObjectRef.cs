namespace Mesh.ControlPlane.Configuration;

/// <summary>Names one object: its exact kind (<c>VirtualService</c>), namespace and name.</summary>
internal sealed record ConfigObjectRef(string Kind, string Namespace, string Name)
{
    public string Key => $"{Kind}/{Namespace}/{Name}";
}
