namespace Mesh.Config.Tests;

/// <summary>Finds files of the repository (the Istio samples in samples/bookinfo/networking) from the test output folder.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string SamplesDirectory => Path.Combine(Root, "samples", "bookinfo", "networking");

    public static IEnumerable<string> Samples() =>
        Directory.GetFiles(SamplesDirectory, "*.yaml").OrderBy(f => f, StringComparer.Ordinal);

    public static string ReadSample(string name) => File.ReadAllText(Path.Combine(SamplesDirectory, name));

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
