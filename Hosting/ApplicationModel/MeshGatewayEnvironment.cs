using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>What every gateway program the AppHost runs is told about itself: its mode, control plane, credential and node.</summary>
internal static class MeshGatewayEnvironment
{
    public static void SetNode(
        IDictionary<string, object> env, MeshControlPlaneResource mesh, string name, string @namespace, string address, IReadOnlyDictionary<string, string> labels)
    {
        var serviceAccount = $"{name}-service-account";
        env["Mesh__Mode"] = "Gateway";
        env["Mesh__ControlPlane__Address"] = ReferenceExpression.Create($"http://127.0.0.1:{mesh.GrpcEndpoint.Property(EndpointProperty.Port)}");
        env["Mesh__ControlPlane__Token"] = MeshBootstrapCredentials.TokenFor(mesh, @namespace, serviceAccount, name);
        env["Mesh__Node__Id"] = name;
        env["Mesh__Node__Workload"] = name;
        env["Mesh__Node__Namespace"] = @namespace;
        env["Mesh__Node__ServiceAccount"] = serviceAccount;
        env["Mesh__Node__Address"] = address;
        foreach (var (key, value) in labels)
        {
            env[$"Mesh__Node__Labels__{key}"] = value;
        }
    }
}
