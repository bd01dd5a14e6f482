namespace Mesh.Testing;

/// <summary>The repository's root (the folder holding Mesh.sln), found from the test output folder, and places in it.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    /// <summary>Istio's Bookinfo task configs (samples/bookinfo/networking).</summary>
    public static string BookinfoSamples => Path.Combine(Root, "samples", "bookinfo", "networking");

    /// <summary>The configuration the AppHost loads.</summary>
    public static string MeshConfig => Path.Combine(Root, "mesh-config");

    public static string Combine(params string[] relative) => Path.Combine([Root, .. relative]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Mesh.sln) not found above " + AppContext.BaseDirectory);
    }
}
