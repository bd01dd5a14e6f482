// The sidecar: the mesh proxy core in sidecar mode (inbound listeners to the local app,
// outbound listeners and an optional HTTP_PROXY catch-all for its upstreams).
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshProxy(MeshProxyMode.Sidecar);

var app = builder.Build();
app.MapMeshProxy();
app.Run();
