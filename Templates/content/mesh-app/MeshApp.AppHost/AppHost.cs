using Mesh.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

// The control plane: Istio-format YAML from mesh-config/ (saved changes apply at once, or use
// `meshctl apply -f`), admin API and mesh console at http://localhost:15014, state in .mesh-data/.
var mesh = builder.AddMeshControlPlane("mesh");

// Each project gets a sidecar; its endpoints are allocated ports (launch profiles left out), so
// more versions of one project can run side by side (WithSidecar(mesh, app: "apiservice", version: "v2")).
var apiService = builder.AddProject<Projects.MeshAppProjectsPrefix_ApiService>("apiservice", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithSidecar(mesh);

// The frontend's http://apiservice resolves to its own sidecar, which routes the call (mTLS) to
// the API's sidecar: retries, timeouts, traffic shifting and policies come from mesh-config/.
builder.AddProject<Projects.MeshAppProjectsPrefix_Web>("webfrontend", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithSidecar(mesh)
    .WithMeshReference(apiService);

builder.Build().Run();
