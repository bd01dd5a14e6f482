namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>Locations in the repository, found from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestProject => Path.Combine(Root, "Tests", "Mesh.Hosting.Tests");

    public static string Golden => Path.Combine(TestProject, "Golden");

    public static string MeshConfig => Path.Combine(Root, "mesh-config");

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
