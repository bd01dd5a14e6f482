using Mesh.Hosting;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.AppHost;

/// <summary>
/// The workloads of Istio tasks that Bookinfo does not have, added on request (they are not part
/// of the everyday AppHost): <c>--LocalityTask true</c> and <c>--ExtAuthzTask true</c>.
/// </summary>
internal static class IstioTaskResources
{
    /// <summary>
    /// Istio's "Locality failover" and "Locality weighted distribution" tasks: helloworld in namespace
    /// <c>sample</c> in four localities (region1/zone1, region1/zone2, region2/zone3, region3/zone4;
    /// version label <c>region.zone</c> as Istio's gen-helloworld.sh), and curl in region1/zone1,
    /// whose sidecar binds helloworld:5000 to localhost:5000 (the task's <c>curl helloworld.sample:5000/hello</c>).
    /// </summary>
    public static void AddLocalityTask(IDistributedApplicationBuilder builder, IResourceBuilder<MeshControlPlaneResource> mesh)
    {
        foreach (var (region, zone) in new[] { ("region1", "zone1"), ("region1", "zone2"), ("region2", "zone3"), ("region3", "zone4") })
        {
            var name = $"helloworld-{region}-{zone}";
            builder.AddProject<Projects.Samples_Helloworld>(name, launchProfileName: null)
                .PlaintextBehindSidecar()
                .WithHttpEndpoint(name: "http")
                .WithEnvironment("SERVICE_VERSION", $"{region}.{zone}")
                .WithEnvironment("HOSTNAME", name)
                .WithHttpHealthCheck("/health")
                .WithSidecar(mesh, app: "helloworld", version: $"{region}.{zone}", serviceAccount: "helloworld", @namespace: "sample")
                .WithServicePort("http", 5000)
                .WithLocality(region, zone);
        }

        // The caller: only its sidecar matters (the task execs curl in it); the app is an idle helloworld.
        builder.AddProject<Projects.Samples_Helloworld>("curl-sample", launchProfileName: null)
            .PlaintextBehindSidecar()
            .WithHttpEndpoint(name: "http")
            .WithSidecar(mesh, app: "curl", serviceAccount: "curl", @namespace: "sample")
            .WithLocality("region1", "zone1")
            .WithMeshReferencePort("helloworld", "http", 5000);
    }

    /// <summary>
    /// Istio's "External Authorization" task: httpbin, the sample authorizer <c>ext-authz</c> and curl,
    /// all in namespace <c>foo</c> (the task's mesh config names <c>ext-authz.foo.svc.cluster.local</c>);
    /// curl's sidecar binds httpbin:8000 to localhost:8000 (the task's <c>curl http://httpbin.foo:8000/headers</c>).
    /// </summary>
    public static void AddExtAuthzTask(IDistributedApplicationBuilder builder, IResourceBuilder<MeshControlPlaneResource> mesh)
    {
        builder.AddProject<Projects.Samples_Httpbin>("httpbin", launchProfileName: null)
            .PlaintextBehindSidecar()
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithSidecar(mesh, app: "httpbin", serviceAccount: "httpbin", @namespace: "foo")
            .WithServicePort("http", 8000);

        builder.AddProject<Projects.Samples_ExtAuthz>("ext-authz-foo", launchProfileName: null)
            .PlaintextBehindSidecar()
            .WithHttpEndpoint(name: "http", env: "ExtAuthz__HttpPort")
            .WithHttpEndpoint(name: "grpc", env: "ExtAuthz__GrpcPort")
            .WithSidecar(mesh, app: "ext-authz", serviceAccount: "ext-authz", @namespace: "foo")
            .WithServicePort("http", 8000)
            .WithServicePort("grpc", 9000);

        builder.AddProject<Projects.Samples_Httpbin>("curl-foo", launchProfileName: null)
            .PlaintextBehindSidecar()
            .WithHttpEndpoint(name: "http")
            .WithSidecar(mesh, app: "curl", serviceAccount: "curl", @namespace: "foo")
            .WithMeshReferencePort("httpbin", "http", 8000);
    }
}
