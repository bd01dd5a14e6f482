namespace Mesh.ControlPlane.Tests.Architecture;

/// <summary>The repository's root (the folder holding Mesh.sln), found from the test output folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

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
