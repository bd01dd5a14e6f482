using System.Diagnostics;
using System.Reflection;
using System.Xml.Linq;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>
/// What a user of the packages has: a local folder feed with Mesh.Hosting, meshctl and
/// Mesh.Templates packed from this build, in a workspace outside the repository whose NuGet.config
/// names that feed as the only source and the machine's NuGet package cache as a read-only
/// fallback (so the test is offline, and never puts a Mesh package into the shared cache: the
/// workspace has its own packages folder). meshctl is installed from the feed as a tool, the
/// templates into a private template hive. Packed once for every test (<see cref="PackagedMeshCollection"/>).
/// </summary>
public sealed class PackagedMesh : IAsyncLifetime
{
    public string Workspace { get; } = Path.Combine(Path.GetTempPath(), "mesh-packaging", Guid.NewGuid().ToString("N"));

    public string Feed => Path.Combine(Workspace, "feed");

    public string TemplateHive => Path.Combine(Workspace, "template-hive");

    /// <summary>meshctl as `dotnet tool install meshctl --tool-path` put it.</summary>
    public string MeshCtl => Path.Combine(Workspace, "tools", OperatingSystem.IsWindows() ? "meshctl.exe" : "meshctl");

    public string Version { get; private set; } = "";

    /// <summary>What packing and installing took, for the test log (the CI runtime of this suite).</summary>
    public string Timings { get; private set; } = "";

    internal CommandRunner Cli { get; }

    public PackagedMesh()
    {
        Cli = new CommandRunner(Path.Combine(Workspace, "packages"));
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A version from the repository's Directory.Packages.props (PackageVersion item or property).</summary>
    public static string RepositoryVersion(string name)
    {
        var props = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props"));
        return props.Descendants("PackageVersion").FirstOrDefault(e => (string?)e.Attribute("Include") == name)?.Attribute("Version")?.Value
            ?? props.Descendants(name).FirstOrDefault()?.Value
            ?? throw new InvalidOperationException($"Directory.Packages.props has no version for {name}");
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        File.WriteAllText(Path.Combine(Workspace, "NuGet.config"), NuGetConfig());
        var clock = Stopwatch.StartNew();

        // `dotnet pack` of this build (the test project's references built it): the packages'
        // build targets and the programs under tools/ are exactly what a release would ship.
        var configuration = typeof(PackagedMesh).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Mesh.Packaging.Configuration").Value!;
        foreach (var project in new[] { "Hosting/Mesh.Hosting.csproj", "Cli/meshctl.csproj", "Templates/Mesh.Templates.csproj" })
        {
            await new CommandRunner(null).RunAsync("dotnet", ["pack", Path.Combine(RepositoryRoot, project), "--no-build", "-c", configuration, "-o", Feed, "-nologo"], RepositoryRoot);
        }

        var packed = clock.Elapsed;
        Version = Path.GetFileNameWithoutExtension(Directory.GetFiles(Feed, "meshctl.*.nupkg").Single())["meshctl.".Length..];

        clock.Restart();
        await Cli.RunAsync("dotnet", ["tool", "install", "meshctl", "--tool-path", Path.Combine(Workspace, "tools"), "--version", Version], Workspace);
        await Cli.RunAsync("dotnet", ["new", "install", Path.Combine(Feed, $"Mesh.Templates.{Version}.nupkg"), "--debug:custom-hive", TemplateHive], Workspace);

        var sizes = string.Join(", ", Directory.GetFiles(Feed, "*.nupkg").Order().Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length / 1024.0 / 1024.0:0.0} MB"));
        Timings = $"packed in {packed.TotalSeconds:0} s ({sizes}); meshctl and templates installed in {clock.Elapsed.TotalSeconds:0} s";
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Workspace, recursive: true);
        }
        catch (IOException)
        {
            // A process of the app may still hold a file for a moment; a temp folder left behind is harmless.
        }

        return Task.CompletedTask;
    }

    /// <summary>A new folder in the workspace (outside the repository) with the app files of UserApp/.</summary>
    public string CopyUserApp(string name)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "UserApp");
        var target = Path.Combine(Workspace, name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    private string NuGetConfig()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return new XDocument(new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", Path.Combine(Workspace, "packages")))),
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "mesh-local"), new XAttribute("value", Feed))),
            new XElement("fallbackPackageFolders", new XElement("clear"), new XElement("add", new XAttribute("key", "package-cache"), new XAttribute("value", cache))))).ToString();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Mesh.sln above {AppContext.BaseDirectory}");
    }
}

[CollectionDefinition(Name)]
public sealed class PackagedMeshCollection : ICollectionFixture<PackagedMesh>
{
    public const string Name = "Packaged mesh";
}
