using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Admin;

/// <summary><c>GET /api/v1/describe/{name}[?namespace=]</c>: what configuration affects a workload or service (<see cref="MeshDescriber"/>).</summary>
internal static class DescribeEndpoints
{
    public static IEndpointRouteBuilder MapDescribeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/describe/{name}", (string name, string? @namespace, ConfigStore store, WorkloadRegistry registry, MeshSettingsState settings) =>
        {
            var description = new MeshDescriber(new SnapshotInputs(store.Current.Model, registry.Current, settings.Current)).Describe(name, string.IsNullOrEmpty(@namespace) ? null : @namespace);
            return description is null
                ? ConfigEndpoints.Message(StatusCodes.Status404NotFound, $"'{name}' is neither a registered workload, an app label, nor a service with configuration{(@namespace is null ? "" : $" in namespace {@namespace}")}")
                : Results.Json(description, AdminJson.Context.JsonNode);
        });
        return endpoints;
    }
}
