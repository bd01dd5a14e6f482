global using Mesh.Testing;
global using Mesh.Testing.Backends;
global using Mesh.Testing.Certificates;
global using Mesh.Testing.Clock;
global using Mesh.Testing.ControlPlane;
global using Mesh.Testing.Http;
global using Mesh.Testing.Workloads;
global using Mesh.Testing.Proxy;
