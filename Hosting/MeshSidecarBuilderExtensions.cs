using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>Puts projects into the mesh: a sidecar per workload and upstreams through it.</summary>
public static class MeshSidecarBuilderExtensions
{
    /// <summary>
    /// Runs the project with a sidecar proxy named "&lt;name&gt;-sidecar". The sidecar takes the
    /// project's inbound traffic from the mesh (each app endpoint gets an inbound listener that
    /// other sidecars reach) and its outbound traffic to services named with
    /// <see cref="WithMeshReference(IResourceBuilder{ProjectResource}, string)"/>. The app starts
    /// after its sidecar is ready, like a native Kubernetes sidecar.
    /// With Aspire's <c>WithReplicas(n)</c> (called before <c>WithSidecar</c>) each replica gets its
    /// own sidecar, "&lt;name&gt;-sidecar-&lt;i&gt;", registered as node "&lt;name&gt;-&lt;i&gt;" (docs/replicas.md).
    /// </summary>
    /// <param name="builder">The project to mesh.</param>
    /// <param name="controlPlane">The mesh it joins.</param>
    /// <param name="app">Istio's <c>app</c> label and the service name; defaults to the resource
    /// name without a trailing "-vN".</param>
    /// <param name="version">Istio's <c>version</c> label.</param>
    /// <param name="serviceAccount">The workload's service account, its identity in the mesh
    /// (<c>spiffe://&lt;trust domain&gt;/ns/&lt;namespace&gt;/sa/&lt;account&gt;</c>); defaults to the
    /// mesh's service account prefix followed by the app label.</param>
    /// <param name="namespace">The workload's namespace when not the mesh's (local runs; Kubernetes publishing refuses it).</param>
    public static IResourceBuilder<ProjectResource> WithSidecar(
        this IResourceBuilder<ProjectResource> builder,
        IResourceBuilder<MeshControlPlaneResource> controlPlane,
        string? app = null,
        string version = "v1",
        string? serviceAccount = null,
        string? @namespace = null)
    {
        if (MeshWiring.FindWorkload(builder.Resource) is not null)
        {
            throw new InvalidOperationException($"'{builder.Resource.Name}' already has a sidecar.");
        }

        var mesh = controlPlane.Resource;
        var replicas = builder.Resource.GetReplicaCount();
        var sidecars = Enumerable.Range(0, replicas)
            .Select(i => new MeshSidecarResource(
                replicas == 1 ? $"{builder.Resource.Name}-sidecar" : $"{builder.Resource.Name}-sidecar-{i}",
                builder.Resource,
                builder.ApplicationBuilder.AppHostDirectory,
                nodeId: replicas == 1 ? builder.Resource.Name : $"{builder.Resource.Name}-{i}",
                replicaIndex: i))
            .ToArray();
        var workload = new MeshWorkload(mesh, builder.Resource, sidecars, app ?? DefaultAppLabel(builder.Resource.Name), version)
        {
            ServiceAccount = serviceAccount,
            Namespace = @namespace == mesh.Namespace ? null : @namespace,
        };
        mesh.Workloads.Add(workload);
        MeshWiring.Register(workload);

        foreach (var sidecar in sidecars)
        {
            var sidecarBuilder = builder.ApplicationBuilder.AddMeshProgram(sidecar, MeshProgram.Sidecar)
                .WithParentRelationship(builder.Resource)
                .WithHttpEndpoint(name: MeshSidecarResource.AdminEndpointName, isProxied: false)
                .WithUrlForEndpoint(MeshSidecarResource.AdminEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
                .WithMeshReadinessCheck("/ready", MeshSidecarResource.AdminEndpointName)
                .WithEnvironment(context => MeshWiring.SetSidecarEnvironment(context, mesh, workload, sidecar))
                .WaitFor(controlPlane);

            // Every replica waits for every sidecar: Aspire's WaitFor cannot name one replica.
            builder.WaitFor(sidecarBuilder);
        }

        Dashboard.MeshTrafficCommands.AddTo(builder, workload);
        return builder;
    }

    /// <summary>
    /// Lets the app call <paramref name="service"/> (a mesh service name such as "reviews")
    /// through its sidecar: the sidecar gets a local listener per service port and the app's
    /// service discovery entries (<c>services__reviews__http__0</c>) point at it — the app never
    /// gets another app's direct address.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMeshReference(this IResourceBuilder<ProjectResource> builder, string service)
    {
        var workload = MeshWiring.FindWorkload(builder.Resource)
            ?? throw new InvalidOperationException($"Call WithSidecar on '{builder.Resource.Name}' before WithMeshReference.");
        if (!workload.References.Contains(service, StringComparer.Ordinal))
        {
            workload.References.Add(service);
        }

        return builder.WithEnvironment(context => MeshWiring.SetAppUpstreamEnvironment(context, workload));
    }

    /// <summary>
    /// Pins the local port of the app's binding to <paramref name="service"/>'s port named
    /// <paramref name="portName"/> (default: a free port), e.g. for a TCP client run by hand (<c>nc localhost 9000</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMeshReferencePort(this IResourceBuilder<ProjectResource> builder, string service, string portName, int localPort)
    {
        var workload = MeshWiring.FindWorkload(builder.Resource)
            ?? throw new InvalidOperationException($"Call WithSidecar on '{builder.Resource.Name}' before WithMeshReferencePort.");
        workload.BindingPorts[$"{service}/{portName}"] = localPort;
        return builder.WithMeshReference(service);
    }

    /// <summary>Lets the app call the service another meshed project belongs to.</summary>
    public static IResourceBuilder<ProjectResource> WithMeshReference(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> target)
    {
        var targetWorkload = MeshWiring.FindWorkload(target.Resource)
            ?? throw new InvalidOperationException($"'{target.Resource.Name}' has no sidecar: call WithSidecar on it first.");
        return builder.WithMeshReference(targetWorkload.AppLabel);
    }

    /// <summary>
    /// The service port callers use for one of the app's endpoints (default: the mesh's default for
    /// that endpoint name). A <c>tcp</c> endpoint is a mesh port only with one: its protocol follows
    /// Istio's port-name rule (<c>tcp</c>, <c>mongo</c>, <c>tls</c>, … prefixes; anything else TCP).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServicePort(this IResourceBuilder<ProjectResource> builder, string endpointName, int port)
    {
        var workload = MeshWiring.FindWorkload(builder.Resource)
            ?? throw new InvalidOperationException($"Call WithSidecar on '{builder.Resource.Name}' before WithServicePort.");
        workload.ServicePorts[endpointName] = port;
        return builder;
    }

    /// <summary>
    /// The workload's locality for locality load balancing (DestinationRule <c>localityLbSetting</c>):
    /// Istio's <c>istio-locality</c> label (<c>region.zone.subzone</c>) on the workload, which also
    /// places its sidecar there — the "near" of its own calls.
    /// </summary>
    /// <param name="builder">A project with a sidecar.</param>
    /// <param name="region">Region, e.g. "region1" or "us-east1".</param>
    /// <param name="zone">Zone within the region.</param>
    /// <param name="subzone">Subzone within the zone.</param>
    public static IResourceBuilder<ProjectResource> WithLocality(this IResourceBuilder<ProjectResource> builder, string region, string? zone = null, string? subzone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        var workload = MeshWiring.FindWorkload(builder.Resource)
            ?? throw new InvalidOperationException($"Call WithSidecar on '{builder.Resource.Name}' before WithLocality.");
        if (string.IsNullOrEmpty(zone) && !string.IsNullOrEmpty(subzone))
        {
            throw new ArgumentException("A subzone needs a zone.", nameof(subzone));
        }

        foreach (var part in new[] { region, zone, subzone })
        {
            if (part is not null && (part.Contains('.') || part.Contains('/')))
            {
                throw new ArgumentException($"Locality parts cannot contain '.' or '/': '{part}'.");
            }
        }

        workload.ExtraLabels["istio-locality"] = string.Join('.', new[] { region, zone, subzone }.Where(p => !string.IsNullOrEmpty(p)));
        return builder;
    }

    private static string DefaultAppLabel(string resourceName)
    {
        var dash = resourceName.LastIndexOf('-');
        return dash > 0 && resourceName.Length > dash + 2 && resourceName[dash + 1] == 'v' && resourceName[(dash + 2)..].All(char.IsAsciiDigit)
            ? resourceName[..dash]
            : resourceName;
    }
}
