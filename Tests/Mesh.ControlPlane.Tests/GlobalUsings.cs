global using Mesh.Testing;
global using Mesh.Testing.Clock;
global using Mesh.Testing.ControlPlane;
