using Mesh.Testing.Architecture;

namespace Mesh.ControlPlane.Tests.Architecture;

/// <summary>
/// Dependencies between a project's namespaces point one way: no product project has a namespace
/// cycle (<see cref="ProductProjects"/> finds them all). The control plane's namespaces are
/// layers (ControlPlane/README.md): a namespace uses only namespaces of lower layers, so
/// configuration, snapshots and discovery never reach back to what observes or composes them.
/// </summary>
public sealed class NamespaceDependencyTests
{
    /// <summary>The control plane's layers, lowest first; namespaces in one layer do not use each other.</summary>
    private static readonly string[][] ControlPlaneLayers =
    [
        ["Common"],
        ["Configuration", "Registry", "Security"],
        ["Snapshots"],
        ["Credentials"],
        ["Discovery", "Gateways"],
        ["Telemetry"],
        ["Identity"],
        ["Admin"],
        ["Console", "Kubernetes"],
        ["Hosting"],
    ];

    public static TheoryData<string> Projects => [.. ProductProjects.Folders];

    /// <summary>Every product project (found on disk, so new ones are covered): its namespaces form no cycle.</summary>
    [Theory]
    [MemberData(nameof(Projects))]
    public void Namespaces_form_no_cycle(string projectFolder)
    {
        var graph = ProductProjects.Graph(projectFolder);
        var cycles = graph.DescribeCycles().ToList();

        Assert.True(cycles.Count == 0, $"namespace cycles in {projectFolder}:{Environment.NewLine}{string.Join(Environment.NewLine, cycles)}");
    }

    [Fact]
    public void Every_product_project_is_checked()
    {
        Assert.Superset(new HashSet<string> { "Cli", "Config", "ControlPlane", "Hosting", "Proxy/Core", "Proxy/Gateway", "Proxy/Security", "Proxy/Telemetry", "Proxy/Traffic" }, ProductProjects.Folders.ToHashSet());
        Assert.NotEmpty(ProductProjects.Graph("ControlPlane").Namespaces);
    }

    [Fact]
    public void Control_plane_namespaces_use_only_lower_layers()
    {
        var graph = ProductProjects.Graph("ControlPlane");
        var layerOf = ControlPlaneLayers
            .SelectMany((names, layer) => names.Select(name => (Namespace: "Mesh.ControlPlane." + name, Layer: layer)))
            .ToDictionary(x => x.Namespace, x => x.Layer, StringComparer.Ordinal);

        var unplaced = graph.Namespaces.Where(ns => !layerOf.ContainsKey(ns)).ToList();
        Assert.True(unplaced.Count == 0, $"place these namespaces in {nameof(ControlPlaneLayers)} (and ControlPlane/README.md): {string.Join(", ", unplaced)}");

        var upward = (
            from ns in graph.Namespaces
            from use in graph.UsesOf(ns)
            where layerOf[use.Key] >= layerOf[ns]
            select $"{ns} uses {use.Key} (not a lower layer) in {string.Join(", ", use.Value)}").ToList();
        Assert.True(upward.Count == 0, string.Join(Environment.NewLine, upward));
    }
}
