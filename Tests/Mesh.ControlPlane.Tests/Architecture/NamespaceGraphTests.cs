using Mesh.Testing.Architecture;

namespace Mesh.ControlPlane.Tests.Architecture;

/// <summary>The architecture tests' reader: it finds a real cycle and does not invent one.</summary>
public sealed class NamespaceGraphTests : IDisposable
{
    private readonly TemporaryDirectory _project = new("mesh-namespace-graph");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_using_and_a_type_of_the_enclosing_namespace_in_the_other_direction_form_a_cycle()
    {
        Write("Model/Kinds.cs", "using Demo.Model.Networking;\nnamespace Demo.Model;\npublic sealed class Kinds { public Route? Route; }");
        Write("Model/Networking/Route.cs", "namespace Demo.Model.Networking;\npublic sealed record Route(Kinds Kind);");

        var cycle = Assert.Single(NamespaceGraph.Read(_project.Path, "Demo").Cycles());

        Assert.Equal(["Demo.Model", "Demo.Model.Networking"], cycle);
    }

    [Fact]
    public void Comments_strings_and_the_parent_of_a_used_namespace_are_not_uses()
    {
        Write("Model/Kinds.cs", "using Demo.Model.Networking;\nnamespace Demo.Model;\npublic sealed class Kinds { public Route? Route; }");
        Write("Model/Common/Text.cs", "namespace Demo.Model.Common;\npublic sealed record Text(string Value);");
        Write("Model/Networking/Route.cs", """
            using Demo.Model.Common;
            namespace Demo.Model.Networking;
            /// <summary>Not <see cref="Kinds"/>.</summary>
            public sealed record Route(Text Name) { public string Doc => "Kinds"; }
            """);

        Assert.Empty(NamespaceGraph.Read(_project.Path, "Demo").Cycles());
    }

    [Fact]
    public void A_name_qualified_relative_to_an_enclosing_namespace_is_a_use_and_a_member_access_is_not()
    {
        Write("Admin/Probes/ProbeSet.cs", "using Demo.Configuration;\nnamespace Demo.Admin.Probes;\npublic sealed class ProbeSet { public Options? Options; }");
        Write("Configuration/Options.cs", "namespace Demo.Configuration;\npublic sealed class Options { public bool Valid => Admin.Probes.ProbeSet.TryParse(); }");
        Write("Reports/Report.cs", "namespace Demo.Reports;\npublic sealed class Report { public int Count => Admin.Count + Configuration.Length; }");

        var graph = NamespaceGraph.Read(_project.Path, "Demo");

        Assert.Equal(["Demo.Admin.Probes", "Demo.Configuration"], Assert.Single(graph.Cycles()));
        Assert.Empty(graph.UsesOf("Demo.Reports"));
    }

    private void Write(string path, string code)
    {
        var file = _project.Combine(path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, code);
    }
}
