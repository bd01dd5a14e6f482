using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// The sidecar proxy of one workload. A child of the app in the dashboard (WithParentRelationship),
/// like a second container in the same pod. Not an IResourceWithParent: Aspire forbids a resource
/// to WaitFor its own child, and the app must wait for its sidecar's readiness.
/// </summary>
public sealed class MeshSidecarResource : ExecutableResource
{
    internal MeshSidecarResource(string name, ProjectResource app, string workingDirectory, string nodeId, int replicaIndex = 0)
        : base(name, "dotnet", workingDirectory)
    {
        Parent = app;
        NodeId = nodeId;
        ReplicaIndex = replicaIndex;
    }

    internal const string AdminEndpointName = "admin";

    /// <summary>The app this sidecar runs beside (its pod, in Kubernetes terms).</summary>
    public ProjectResource Parent { get; }

    /// <summary>
    /// The proxy's node id: its registration in the mesh, as <c>meshctl proxy-status</c> and the
    /// console list it. The app's name, or "&lt;app&gt;-&lt;i&gt;" for replica <c>i</c> of an app with replicas.
    /// </summary>
    public string NodeId { get; }

    /// <summary>Which replica of the app this sidecar pairs with (Aspire's <c>resource-replica-index</c>).</summary>
    internal int ReplicaIndex { get; }

    /// <summary>
    /// On a replicated app's sidecar: the port its replica serves the mesh on for one app
    /// endpoint. The AppHost allocates it; only the paired replica listens on it.
    /// </summary>
    internal static string AppEndpointName(string appEndpoint) => $"app-{appEndpoint}";

    internal static string InboundEndpointName(string appEndpoint) => $"inbound-{appEndpoint}";

    internal static string OutboundEndpointName(string service, string portName) => $"outbound-{service}-{portName}";
}
