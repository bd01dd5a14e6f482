using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>
/// The sidecar proxy of one workload. A child of the app in the dashboard (WithParentRelationship),
/// like a second container in the same pod. Not an IResourceWithParent: Aspire forbids a resource
/// to WaitFor its own child, and the app must wait for its sidecar's readiness.
/// </summary>
public sealed class MeshSidecarResource : ExecutableResource
{
    internal MeshSidecarResource(string name, ProjectResource app, string workingDirectory)
        : base(name, "dotnet", workingDirectory)
    {
        Parent = app;
    }

    internal const string AdminEndpointName = "admin";

    /// <summary>The app this sidecar runs beside (its pod, in Kubernetes terms).</summary>
    public ProjectResource Parent { get; }

    internal static string InboundEndpointName(string appEndpoint) => $"inbound-{appEndpoint}";

    internal static string OutboundEndpointName(string service, string portName) => $"outbound-{service}-{portName}";
}
