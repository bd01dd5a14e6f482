using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Tests;

/// <summary>
/// Run-mode wiring of Aspire's <c>WithReplicas</c> on meshed projects (docs/replicas.md): one
/// sidecar per replica, each owning the port its replica serves the mesh on, and the replicas'
/// shared environment choosing per replica with DCP's template on <c>resource-replica-index</c>.
/// Endpoints are allocated by hand (as DCP would) and the environment is evaluated as Aspire does.
/// </summary>
public sealed class ReplicaWiringTests : IDisposable
{
    private const string ReplicaIndex = "(index .Annotations \"resource-replica-index\")";
    private readonly TemporaryDirectory _root = new();
    private int _nextPort = 20000;

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Each_replica_gets_its_own_sidecar_node_and_app_port()
    {
        var (builder, mesh) = CreateMesh();
        var details = AddApp(builder, "details").WithReplicas(2).WithSidecar(mesh);
        Prepare(builder, mesh);

        var sidecars = builder.Resources.OfType<MeshSidecarResource>().OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["details-sidecar-0", "details-sidecar-1"], sidecars.Select(s => s.Name));
        Assert.Equal(["details-0", "details-1"], sidecars.Select(s => s.NodeId));
        Assert.True(details.Resource.Annotations.OfType<EndpointAnnotation>().Single().IsProxied, "Aspire refuses replicas with proxy-less endpoints");

        for (var i = 0; i < 2; i++)
        {
            var env = await EnvironmentOf(sidecars[i]);
            Assert.Equal($"details-{i}", env["Mesh__Node__Id"]);
            Assert.Equal("details", env["Mesh__Node__Workload"]);
            Assert.Equal(Port(sidecars[i], "app-http"), env["Mesh__Inbound__0__TargetPort"]);
            Assert.Equal(Port(sidecars[i], "inbound-http"), env["Mesh__Inbound__0__ListenPort"]);
            Assert.Equal("250", env["Mesh__AppHealthIntervalMs"]);
            Assert.Contains($"\"mesh_node\":\"details-{i}\"", Claims(env["Mesh__ControlPlane__Token"]), StringComparison.Ordinal);
        }

        Assert.NotEqual(Port(sidecars[0], "app-http"), Port(sidecars[1], "app-http"));
        var app = await EnvironmentOf(details.Resource);
        var aspireUrl = $"http://localhost:{Port(details.Resource, "http")}";
        Assert.Equal(
            $"{aspireUrl};http://127.0.0.1:{PerReplica(Port(sidecars[0], "app-http"), Port(sidecars[1], "app-http"))}",
            app["ASPNETCORE_URLS"]);
    }

    [Fact]
    public async Task A_replica_calls_its_upstreams_through_its_own_sidecar()
    {
        var (builder, mesh) = CreateMesh();
        var details = AddApp(builder, "details").WithSidecar(mesh);
        var productpage = AddApp(builder, "productpage").WithReplicas(3).WithSidecar(mesh).WithMeshReference(details);
        Prepare(builder, mesh);

        var sidecars = builder.Resources.OfType<MeshSidecarResource>().Where(s => s.Parent == productpage.Resource).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(3, sidecars.Count);
        var app = await EnvironmentOf(productpage.Resource);
        Assert.Equal(
            $"http://127.0.0.1:{PerReplica([.. sidecars.Select(s => Port(s, "outbound-details-http"))])}",
            app["services__details__http__0"]);
    }

    [Fact]
    public async Task A_replicated_app_with_Kestrel_endpoints_gets_a_Kestrel_endpoint_per_mesh_port()
    {
        var (builder, mesh) = CreateMesh();
        var ratings = AddApp(builder, "ratings").WithHttpEndpoint(name: "grpc");
        ratings.WithEnvironment("Kestrel__Endpoints__Grpc__Url", ReferenceExpression.Create($"http://localhost:{ratings.GetEndpoint("grpc").Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment(context => context.EnvironmentVariables.Remove("ASPNETCORE_URLS"))
            .WithReplicas(2)
            .WithSidecar(mesh);
        Prepare(builder, mesh);

        var sidecars = builder.Resources.OfType<MeshSidecarResource>().OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var app = await EnvironmentOf(ratings.Resource);
        Assert.False(app.ContainsKey("ASPNETCORE_URLS"));
        Assert.Equal($"http://127.0.0.1:{PerReplica(Port(sidecars[0], "app-grpc"), Port(sidecars[1], "app-grpc"))}", app["Kestrel__Endpoints__MeshInbound_grpc__Url"]);
        Assert.Equal("Http2", app["Kestrel__Endpoints__MeshInbound_grpc__Protocols"]);
        Assert.Equal("Http1", app["Kestrel__Endpoints__MeshInbound_http__Protocols"]);
    }

    [Fact]
    public async Task Without_replicas_the_app_keeps_one_sidecar_and_listens_directly()
    {
        var (builder, mesh) = CreateMesh();
        var details = AddApp(builder, "details").WithSidecar(mesh);
        Prepare(builder, mesh);

        var sidecar = builder.Resources.OfType<MeshSidecarResource>().Single();
        Assert.Equal(("details-sidecar", "details"), (sidecar.Name, sidecar.NodeId));
        Assert.False(details.Resource.Annotations.OfType<EndpointAnnotation>().Single().IsProxied);
        Assert.DoesNotContain(sidecar.Annotations.OfType<EndpointAnnotation>(), e => e.Name.StartsWith("app-", StringComparison.Ordinal));
        var env = await EnvironmentOf(sidecar);
        Assert.Equal(Port(details.Resource, "http"), env["Mesh__Inbound__0__TargetPort"]);
        Assert.DoesNotContain("{{", (await EnvironmentOf(details.Resource))["ASPNETCORE_URLS"], StringComparison.Ordinal);
    }

    [Fact]
    public void WithReplicas_after_WithSidecar_fails_at_start_saying_what_to_do()
    {
        var (builder, mesh) = CreateMesh();
        AddApp(builder, "details").WithSidecar(mesh).WithReplicas(2);

        var error = Assert.Throws<DistributedApplicationException>(() => MeshWiring.Prepare(mesh.Resource));
        Assert.Equal(
            "'details' has 2 replicas but WithSidecar gave it 1 sidecar(s): call WithReplicas before WithSidecar, so that each replica gets its own sidecar.",
            error.Message);
    }

    private static string PerReplica(params string[] ports) =>
        string.Concat(ports.Select((port, i) => $"{{{{- {(i == 0 ? "if" : "else if")} eq {ReplicaIndex} \"{i}\" -}}}}{port}")) + "{{- end -}}";

    private (IDistributedApplicationBuilder Builder, IResourceBuilder<MeshControlPlaneResource> Mesh) CreateMesh()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = [],
            DisableDashboard = true,
            AssemblyName = typeof(ReplicaWiringTests).Assembly.GetName().Name,
        });
        var mesh = builder.AddMeshControlPlane("controlplane")
            .WithConfigDirectory(_root.Combine("config"))
            .WithDataDirectory(_root.Combine("data"));
        return (builder, mesh);
    }

    private static IResourceBuilder<ProjectResource> AddApp(IDistributedApplicationBuilder builder, string name) =>
        builder.AddProject(name, RepositoryPaths.Project(Path.Combine("SampleApps", "Details", "Bookinfo.Details.csproj")), launchProfileName: null)
            .WithHttpEndpoint(name: "http");

    /// <summary>What BeforeStartEvent does, then every endpoint allocated as DCP would (its own port each).</summary>
    private void Prepare(IDistributedApplicationBuilder builder, IResourceBuilder<MeshControlPlaneResource> mesh)
    {
        MeshWiring.Prepare(mesh.Resource);
        foreach (var endpoint in builder.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()))
        {
            var port = endpoint.Port ?? _nextPort++;
            endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", port, targetPortExpression: port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Port(IResource resource, string endpoint) =>
        resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpoint).AllocatedEndpoint!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

#pragma warning disable CS0618 // the evaluation Aspire itself runs for a resource's environment
    private static async Task<Dictionary<string, string>> EnvironmentOf(IResourceWithEnvironment resource) =>
        await resource.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);
#pragma warning restore CS0618

    private static string Claims(string token) =>
        System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]));
}
