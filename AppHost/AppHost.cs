// Bookinfo in the mesh: a control plane, a sidecar beside every workload, the ingress gateway
// and the Aspire dashboard. Every call between Bookinfo services goes through sidecars.
//   Dashboard:       http://localhost:18888
//   Through ingress: http://localhost:8080/productpage
//   Direct to app:   http://localhost:9080/productpage (like a port-forward to the pod)
//   Mesh console:    http://localhost:15014
// And Istio's tcp-echo for the TCP tasks: the ingress gateway's TCP port localhost:31400 carries
// it once a Gateway names that port (samples/tcp-echo/tcp-echo-all-v1.yaml, or the Gateway API's
// samples/tcp-echo/gateway-api/tcp-echo-all-v1.yaml); with --TcpAuthorizationTask true also the TCP
// authorization task's tcp-echo and curl in namespace foo (curl's bindings: localhost:9000-9002).
// --LocalityTask true: helloworld in four localities and curl (localhost:5000) in namespace sample;
// --ExtAuthzTask true: httpbin, ext-authz and curl (localhost:8000) in namespace foo.
// --EastWestGateway true: the mesh on network mesh-network with its east-west gateway (15443 and the
// control plane's 15012) for VMs on other networks (docs/vm.md); on 127.0.0.1 unless
// --EastWestGatewayBindAddress <ip> names the address the VMs' network reaches (e.g. the VM script's bridge).
using Mesh.AppHost;
using Mesh.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// Istio's Bookinfo conventions: every service on port 9080, service accounts "bookinfo-<app>".
// Config and state at the repository root, where meshctl finds the admin token from any folder below.
var mesh = builder.AddMeshControlPlane("controlplane")
    .WithConfigDirectory("../mesh-config")
    .WithDataDirectory("../.mesh-data")
    .WithDefaultServicePort(9080)
    .WithServiceAccountPrefix("bookinfo-");

// Two replicas, each with its own sidecar (details-sidecar-0/-1, nodes details-0/-1): the
// load-balancing task (docs/traffic-management.md) watches the mesh spread, pin and eject them.
// details has a failure switch for it (SampleApps/README.md). WithReplicas goes before WithSidecar.
builder.AddProject<Projects.Bookinfo_Details>("details", launchProfileName: null)
    .PlaintextBehindSidecar()
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReplicas(2)
    .WithSidecar(mesh);

var ratings = builder.AddProject<Projects.Bookinfo_Ratings>("ratings", launchProfileName: null)
    .PlaintextBehindSidecar()
    .WithHttpEndpoint(name: "http")
    .WithHttpEndpoint(name: "grpc")
    .WithKestrelEndpoint("http", kestrelName: "Http", protocols: "Http1")
    .WithKestrelEndpoint("grpc", kestrelName: "Grpc", protocols: "Http2")
    .WithHttpHealthCheck("/health", endpointName: "http")
    .WithSidecar(mesh);

foreach (var version in new[] { "v1", "v2", "v3" })
{
    var reviews = builder.AddProject<Projects.Bookinfo_Reviews>($"reviews-{version}", launchProfileName: null)
        .PlaintextBehindSidecar()
        .WithHttpEndpoint(name: "http")
        .WithEnvironment("REVIEWS_VERSION", version)
        .WithHttpHealthCheck("/health")
        .WithSidecar(mesh, app: "reviews", version: version);

    // v1 shows no stars and never calls ratings, as in Bookinfo.
    if (version != "v1")
    {
        reviews.WithMeshReference(ratings);
    }
}

var productpage = builder.AddProject<Projects.Bookinfo_ProductPage>("productpage", launchProfileName: null)
    .PlaintextBehindSidecar()
    .WithHttpEndpoint(port: 9080, name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithSidecar(mesh)
    .WithMeshReference("details")
    .WithMeshReference("reviews")
    .WithMeshReference("ratings");

// The workloads below serve Istio's other tasks: they start once productpage is healthy
// (StartsAfter), so that on a small machine Bookinfo is up first.

// Istio's sample external authorizer (External Authorization task, AuthorizationPolicy CUSTOM):
// service ext-authz.default.svc.cluster.local, HTTP check on port 8000, gRPC on 9000, behind a
// sidecar (the proxies that call it use mesh mTLS). Unused until the mesh config names it
// (docs/security.md, "External authorization").
builder.AddProject<Projects.Samples_ExtAuthz>("ext-authz", launchProfileName: null)
    .PlaintextBehindSidecar()
    .WithHttpEndpoint(name: "http", env: "ExtAuthz__HttpPort")
    .WithHttpEndpoint(name: "grpc", env: "ExtAuthz__GrpcPort")
    .WithSidecar(mesh)
    .WithServicePort("http", 8000)
    .WithServicePort("grpc", 9000)
    .StartsAfter(productpage);

// Istio's tcp-echo (samples/tcp-echo): v1 answers "one", v2 "two". Istio's Service has the
// ports tcp (9000) and tcp-other (9001); 9002 stays outside the service, as in Istio.
foreach (var (version, prefix) in new[] { ("v1", "one"), ("v2", "two") })
{
    TcpEcho(builder, $"tcp-echo-{version}", prefix)
        .WithSidecar(mesh, app: "tcp-echo", version: version, serviceAccount: "tcp-echo")
        .WithServicePort("tcp", 9000)
        .WithServicePort("tcp-other", 9001)
        .StartsAfter(productpage);
}

if (builder.ExecutionContext.IsRunMode && bool.TryParse(builder.Configuration["TcpAuthorizationTask"], out var tcpAuthorizationTask) && tcpAuthorizationTask)
{
    // Istio's "Authorization for TCP traffic" setting: tcp-echo (prefix hello) and curl in namespace
    // foo. Here 9002 is a service port too, so that curl reaches it through the mesh (in Istio it
    // reaches the pod's IP); the task's policies treat it the same. curl's sidecar binds tcp-echo's
    // ports to localhost:9000-9002: `echo "port 9000" | nc localhost 9000` is the task's command.
    TcpEcho(builder, "tcp-echo-foo", "hello")
        .WithSidecar(mesh, app: "tcp-echo", version: "v1", serviceAccount: "tcp-echo", @namespace: "foo")
        .WithServicePort("tcp", 9000)
        .WithServicePort("tcp-other", 9001)
        .WithServicePort("tcp-9002", 9002);
    TcpEcho(builder, "curl", "curl")
        .WithSidecar(mesh, app: "curl", serviceAccount: "curl", @namespace: "foo")
        .WithMeshReferencePort("tcp-echo", "tcp", 9000)
        .WithMeshReferencePort("tcp-echo", "tcp-other", 9001)
        .WithMeshReferencePort("tcp-echo", "tcp-9002", 9002);
}

// Istio tasks with workloads of their own (docs/locality-task.md, docs/ext-authz-task.md).
if (builder.ExecutionContext.IsRunMode && bool.TryParse(builder.Configuration["LocalityTask"], out var localityTask) && localityTask)
{
    IstioTaskResources.AddLocalityTask(builder, mesh);
}

if (builder.ExecutionContext.IsRunMode && bool.TryParse(builder.Configuration["ExtAuthzTask"], out var extAuthzTask) && extAuthzTask)
{
    IstioTaskResources.AddExtAuthzTask(builder, mesh);
}

builder.AddMeshGateway("ingressgateway", mesh);

if (builder.ExecutionContext.IsRunMode && bool.TryParse(builder.Configuration["EastWestGateway"], out var eastWestGateway) && eastWestGateway)
{
    var gateway = builder.AddMeshEastWestGateway("istio-eastwestgateway", mesh, network: "mesh-network");
    if (builder.Configuration["EastWestGatewayBindAddress"] is { Length: > 0 } bindAddress)
    {
        gateway.WithBindAddress(bindAddress);
    }
}

// `dotnet exec` of each app's build output rather than `dotnet run --no-build` (BuildOutputLaunch.cs).
builder.RunProjectsFromBuildOutput();

builder.Build().Run();

// The C# tcp-echo server with its three ports allocated by Aspire.
static IResourceBuilder<ProjectResource> TcpEcho(IDistributedApplicationBuilder builder, string name, string prefix) =>
    builder.AddProject<Projects.Samples_TcpEcho>(name, launchProfileName: null)
        .PlaintextBehindSidecar()
        .WithEndpoint(name: "tcp", scheme: "tcp", env: "TcpEcho__Ports__0")
        .WithEndpoint(name: "tcp-other", scheme: "tcp", env: "TcpEcho__Ports__1")
        .WithEndpoint(name: "tcp-9002", scheme: "tcp", env: "TcpEcho__Ports__2")
        .WithEnvironment("TcpEcho__Prefix", prefix)
        .WithEnvironment("TcpEcho__ListenAddress", "127.0.0.1")
        .WithTcpHealthCheck("tcp");
