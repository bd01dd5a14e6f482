namespace Mesh.Hosting.ApplicationModel;

/// <summary>A port of a mesh service: the app endpoint behind it, the port callers name, and its protocol.</summary>
internal sealed record MeshServicePort(string Name, int Port, string Protocol);
