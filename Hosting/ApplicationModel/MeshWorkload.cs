using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// One meshed workload: an app, its sidecars (one per replica of the app: Aspire's
/// <c>WithReplicas</c>) and its place in the mesh (labels, identity, service ports, and the
/// services it calls through the sidecar).
/// </summary>
internal sealed class MeshWorkload(MeshControlPlaneResource controlPlane, ProjectResource app, IReadOnlyList<MeshSidecarResource> sidecars, string appLabel, string version)
{
    public MeshControlPlaneResource ControlPlane { get; } = controlPlane;

    public ProjectResource App { get; } = app;

    /// <summary>Sidecar <c>i</c> runs beside replica <c>i</c> of the app (docs/replicas.md).</summary>
    public IReadOnlyList<MeshSidecarResource> Sidecars { get; } = sidecars;

    /// <summary>The first replica's sidecar (the only one without replicas).</summary>
    public MeshSidecarResource Sidecar => Sidecars[0];

    /// <summary>More than one replica: the app keeps Aspire's proxied endpoints and each sidecar owns the port its replica serves the mesh on.</summary>
    public bool IsReplicated => Sidecars.Count > 1;

    /// <summary>The name of the sidecar as a resource and as a Kubernetes container's telemetry name.</summary>
    public string SidecarName => $"{App.Name}-sidecar";

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
