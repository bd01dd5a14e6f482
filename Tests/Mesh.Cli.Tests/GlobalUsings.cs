global using Mesh.Testing;
global using Mesh.Testing.ControlPlane;
