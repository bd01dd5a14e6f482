using Mesh.ControlPlane.Hosting;

var app = ControlPlaneHost.Create(args);
await app.RunAsync();
return 0;
