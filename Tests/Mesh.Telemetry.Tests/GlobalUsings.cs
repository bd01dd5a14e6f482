global using Mesh.Testing;
global using Mesh.Testing.Logging;
global using Mesh.Testing.Workloads;
global using Microsoft.AspNetCore.Http;
