using Mesh.Hosting;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// The ports come from the command line, so that this app runs beside another one on the defaults.
var mesh = builder.AddMeshControlPlane("mesh", adminPort: builder.Configuration.GetValue("MeshAdminPort", 15014));

foreach (var version in new[] { "v1", "v2" })
{
    builder.AddProject<Projects.Backend>($"backend-{version}", launchProfileName: null)
        .WithHttpEndpoint(name: "http")
        .WithEnvironment("BACKEND_VERSION", version)
        .WithSidecar(mesh, app: "backend", version: version);
}

builder.AddProject<Projects.Frontend>("frontend", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithSidecar(mesh)
    .WithMeshReference("backend");

builder.AddMeshGateway("ingressgateway", mesh,
    httpPort: builder.Configuration.GetValue("GatewayHttpPort", 8080),
    httpsPort: builder.Configuration.GetValue("GatewayHttpsPort", 8443));

builder.Build().Run();
