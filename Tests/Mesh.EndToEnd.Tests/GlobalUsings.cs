global using Mesh.Testing;
