using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>Adds the mesh control plane to an Aspire app model.</summary>
public static class MeshControlPlaneBuilderExtensions
{
    /// <summary>The control plane's admin API and console, at Istio's monitoring port.</summary>
    public const int DefaultAdminPort = 15014;

    /// <summary>
    /// Adds the control plane: admin API (and mesh console) at http://localhost:15014, the
    /// discovery/CA gRPC endpoint at a free port, Istio-format YAML from <c>mesh-config/</c> and
    /// persisted state in <c>.mesh-data/</c>, both beside the AppHost project unless
    /// <see cref="WithConfigDirectory"/> and <see cref="WithDataDirectory"/> say otherwise.
    /// Also registers the <c>publish-kubernetes</c> pipeline step.
    /// </summary>
    public static IResourceBuilder<MeshControlPlaneResource> AddMeshControlPlane(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, int adminPort = DefaultAdminPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var resource = new MeshControlPlaneResource(name, builder.AppHostDirectory);

        MeshWiring.Subscribe(builder, resource);
        Dashboard.MeshRoutingProperties.Subscribe(builder, resource);
        Kubernetes.KubernetesPublishingStep.Register(builder);

        // Gateway API Gateways of class istio get a gateway proxy each, which the control plane
        // runs (as Istio's deployment controller creates a Deployment per Gateway): the same gateway program.
        var gatewayProgram = builder.ExecutionContext.IsRunMode ? MeshProgram.Gateway.Locate(builder) : null;
        return builder.AddMeshProgram(resource, MeshProgram.ControlPlane)
            .WithHttpEndpoint(port: adminPort, name: MeshControlPlaneResource.AdminEndpointName, isProxied: false)
            .WithEndpoint(MeshControlPlaneResource.GrpcEndpointName, e =>
            {
                e.UriScheme = "http";
                e.Transport = "http2";
                e.IsProxied = false;
            })
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["ControlPlane__AdminPort"] = resource.AdminEndpoint.Property(EndpointProperty.Port);
                context.EnvironmentVariables["ControlPlane__GrpcPort"] = resource.GrpcEndpoint.Property(EndpointProperty.Port);
                context.EnvironmentVariables["ControlPlane__ConfigDirectory"] = resource.ConfigDirectory;
                context.EnvironmentVariables["ControlPlane__DataDirectory"] = resource.DataDirectory;
                context.EnvironmentVariables["ControlPlane__GenerateAdminToken"] = "true";
                context.EnvironmentVariables["ControlPlane__Security__BootstrapKeyFile"] = MeshBootstrapCredentials.EnsureKeyFile(resource);
                context.EnvironmentVariables["ControlPlane__TrustDomain"] = resource.TrustDomain;
                context.EnvironmentVariables["ControlPlane__DefaultNamespace"] = resource.Namespace;
                if (resource.Network is { } network)
                {
                    context.EnvironmentVariables["ControlPlane__Network"] = network;
                }

                if (gatewayProgram is not null)
                {
                    context.EnvironmentVariables["ControlPlane__Gateways__Program"] = gatewayProgram;
                }
            })
            .WithMeshReadinessCheck("/healthz", MeshControlPlaneResource.AdminEndpointName)
            .WithUrlForEndpoint(MeshControlPlaneResource.AdminEndpointName, url => url.DisplayText = "Mesh console")
            .WithUrlForEndpoint(MeshControlPlaneResource.GrpcEndpointName, url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithMeshTrafficCommands();
    }

    private static IResourceBuilder<MeshControlPlaneResource> WithMeshTrafficCommands(this IResourceBuilder<MeshControlPlaneResource> builder)
    {
        Dashboard.MeshTrafficCommands.AddTo(builder);
        return builder;
    }

    /// <summary>The directory of Istio-format YAML the control plane watches (relative to the AppHost).</summary>
    public static IResourceBuilder<MeshControlPlaneResource> WithConfigDirectory(
        this IResourceBuilder<MeshControlPlaneResource> builder, string path)
    {
        builder.Resource.ConfigDirectory = Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory);
        return builder;
    }

    /// <summary>Where applied config, the CA key and the admin token are kept across restarts.</summary>
    public static IResourceBuilder<MeshControlPlaneResource> WithDataDirectory(
        this IResourceBuilder<MeshControlPlaneResource> builder, string path)
    {
        builder.Resource.DataDirectory = Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory);
        return builder;
    }

    /// <summary>
    /// Service port callers use for an app endpoint name when a workload does not set one
    /// (Istio's Bookinfo: every service on 9080).
    /// </summary>
    public static IResourceBuilder<MeshControlPlaneResource> WithDefaultServicePort(
        this IResourceBuilder<MeshControlPlaneResource> builder, int port, string endpointName = "http")
    {
        builder.Resource.DefaultServicePorts[endpointName] = port;
        return builder;
    }

    /// <summary>Names each workload's service account "&lt;prefix&gt;&lt;app&gt;" (Bookinfo: "bookinfo-").</summary>
    public static IResourceBuilder<MeshControlPlaneResource> WithServiceAccountPrefix(
        this IResourceBuilder<MeshControlPlaneResource> builder, string prefix)
    {
        builder.Resource.ServiceAccountPrefix = prefix;
        return builder;
    }

    /// <summary>The Kubernetes-style namespace of every meshed workload (default: <c>default</c>).</summary>
    public static IResourceBuilder<MeshControlPlaneResource> WithNamespace(
        this IResourceBuilder<MeshControlPlaneResource> builder, string @namespace)
    {
        builder.Resource.Namespace = @namespace;
        return builder;
    }

    /// <summary>The SPIFFE trust domain of workload identities (default: <c>cluster.local</c>, as Istio's).</summary>
    public static IResourceBuilder<MeshControlPlaneResource> WithTrustDomain(
        this IResourceBuilder<MeshControlPlaneResource> builder, string trustDomain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trustDomain);
        builder.Resource.TrustDomain = trustDomain;
        return builder;
    }
}
