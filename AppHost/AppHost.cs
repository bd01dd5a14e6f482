// Bookinfo in the mesh: a control plane, a sidecar beside every workload, the ingress gateway
// and the Aspire dashboard. Every call between Bookinfo services goes through sidecars.
//   Dashboard:       http://localhost:18888
//   Through ingress: http://localhost:8080/productpage
//   Direct to app:   http://localhost:9080/productpage (like a port-forward to the pod)
//   Mesh console:    http://localhost:15014
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

builder.AddProject<Projects.Bookinfo_Details>("details", launchProfileName: null)
    .PlaintextBehindSidecar()
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
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

builder.AddProject<Projects.Bookinfo_ProductPage>("productpage", launchProfileName: null)
    .PlaintextBehindSidecar()
    .WithHttpEndpoint(port: 9080, name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithSidecar(mesh)
    .WithMeshReference("details")
    .WithMeshReference("reviews")
    .WithMeshReference("ratings");

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
    .WithServicePort("grpc", 9000);

builder.AddMeshGateway("ingressgateway", mesh);

builder.Build().Run();
