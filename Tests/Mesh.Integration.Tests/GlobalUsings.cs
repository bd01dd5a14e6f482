global using Mesh.Testing;
global using Mesh.Testing.ControlPlane;
global using Mesh.Testing.Http;
global using Mesh.Testing.Workloads;
