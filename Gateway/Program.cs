// The ingress gateway: the mesh proxy core in gateway mode (listeners from
// Mesh:Gateway:Listeners, virtual hosts of the Gateway servers selecting it, by Host).
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshProxy(MeshProxyMode.Gateway);

var app = builder.Build();
app.MapMeshProxy();
app.Run();
