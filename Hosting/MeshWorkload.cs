using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>
/// One meshed workload: an app, its sidecar and its place in the mesh (labels, identity,
/// service ports, and the services it calls through the sidecar).
/// </summary>
internal sealed class MeshWorkload(MeshControlPlaneResource controlPlane, ProjectResource app, MeshSidecarResource sidecar, string appLabel, string version)
{
    public MeshControlPlaneResource ControlPlane { get; } = controlPlane;

    public ProjectResource App { get; } = app;

    public MeshSidecarResource Sidecar { get; } = sidecar;

    /// <summary>Istio's <c>app</c> label; also the name of the service the workload belongs to.</summary>
    public string AppLabel { get; } = appLabel;

    public string Version { get; } = version;

    public string? ServiceAccount { get; set; }

    /// <summary>The workload's namespace when not the mesh's (local runs only; not published to Kubernetes).</summary>
    public string? Namespace { get; set; }

    /// <summary>Fixed local ports of outbound bindings ("service/portName" → port); others get free ports.</summary>
    public Dictionary<string, int> BindingPorts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Service port per app endpoint name, overriding the mesh defaults.</summary>
    public Dictionary<string, int> ServicePorts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Services this workload calls through its sidecar (by service name).</summary>
    public List<string> References { get; } = [];

    public Dictionary<string, string> ExtraLabels { get; } = new(StringComparer.Ordinal);
}
