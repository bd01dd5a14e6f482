using System.Text.Json.Nodes;
using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots.GatewayApi;

/// <summary>Bookinfo's registry plus a Gateway API Gateway's proxy, and Istio's gateway-api sample files.</summary>
internal static class GatewayApiMesh
{
    public static Node GatewayProxy(string gateway = "bookinfo-gateway", string ns = "default") => new()
    {
        Id = $"{gateway}-istio-0",
        Workload = $"{gateway}-istio",
        Namespace = ns,
        ServiceAccount = $"{gateway}-istio",
        Mode = ProxyMode.Gateway,
        Address = "127.0.0.1",
        Labels = { [GatewayApiNames.GatewayNameLabel] = gateway },
    };

    public static string Sample(string file) => File.ReadAllText(Path.Combine(BookinfoMesh.SamplesDirectory, "..", "gateway-api", file));

    public static string Versions() => File.ReadAllText(Path.Combine(BookinfoMesh.SamplesDirectory, "..", "platform", "kube", "bookinfo-versions.yaml"));

    public static SnapshotInputs Inputs(string yaml, params Node[] more) =>
        new(new MeshModel(3, [.. BookinfoMesh.Parse(yaml)]), Registry(more), new MeshSettings());

    public static RegistrySnapshot Registry(params Node[] more) => new(BookinfoMesh.Registry.Version + more.Length,
        [.. BookinfoMesh.Registry.Workloads, .. more.Select(n => new WorkloadInstance(n, DateTimeOffset.UnixEpoch))]);

    /// <summary>The statuses the control plane reports for these inputs.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Status(SnapshotInputs inputs) =>
        new GatewayApiStatusBuilder(inputs.GatewayApi, inputs.Model, inputs.Registry, NoGatewayAddresses.Instance, new GatewayApiConditionStamp(TimeProvider.System, _ => 3)).Build();

    /// <summary>The condition of this type in a condition list.</summary>
    public static JsonObject Condition(JsonNode? conditions, string type) =>
        Assert.Single(conditions!.AsArray(), c => c!["type"]!.GetValue<string>() == type)!.AsObject();

    public static (string Status, string Reason, string Message) Summary(JsonObject condition) =>
        (condition["status"]!.GetValue<string>(), condition["reason"]!.GetValue<string>(), condition["message"]!.GetValue<string>());

    /// <summary>The conditions of a route's only parent.</summary>
    public static JsonNode RouteConditions(IReadOnlyDictionary<string, JsonObject> status, string key) =>
        Assert.Single(status[key]["parents"]!.AsArray())!["conditions"]!;

    public static string Describe(StringMatch match) => match.KindCase switch
    {
        StringMatch.KindOneofCase.Exact => $"exact:{match.Exact}",
        StringMatch.KindOneofCase.Prefix => $"prefix:{match.Prefix}",
        StringMatch.KindOneofCase.Regex => $"regex:{match.Regex}",
        _ => "present",
    };
}
