namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>Locations in the repository, found from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestProject => Path.Combine(Root, "Tests", "Mesh.Hosting.Tests");

    public static string Golden => Path.Combine(TestProject, "Golden");

    public static string MeshConfig => Path.Combine(Root, "mesh-config");

    /// <summary>Istio's Bookinfo task configs (alternatives to each other, so not in mesh-config).</summary>
    public static string BookinfoSamples => Path.Combine(Root, "samples", "bookinfo", "networking");

    /// <summary>Every folder of Istio YAML in the repository: the config the AppHost loads and the samples.</summary>
    public static IReadOnlyList<string> ConfigFolders => [MeshConfig, Path.Combine(Root, "samples")];

    public static string Project(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Mesh.sln not found above " + AppContext.BaseDirectory);
    }
}
