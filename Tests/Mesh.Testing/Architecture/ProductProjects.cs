using System.Text.RegularExpressions;

namespace Mesh.Testing.Architecture;

/// <summary>
/// Every project of the product: each *.csproj of the repository outside Tests/ and bench/, found
/// on disk so a new project is covered the day it is added.
/// </summary>
public static partial class ProductProjects
{
    /// <summary>Project folders relative to the repository root ("ControlPlane", "Proxy/Core"), ordered.</summary>
    public static IReadOnlyList<string> Folders { get; } = Find();

    /// <summary>The namespace graph of a project; its root namespace is what all its namespaces share.</summary>
    public static NamespaceGraph Graph(string folder)
    {
        var directory = RepositoryFiles.Combine(folder);
        return NamespaceGraph.Read(directory, RootNamespace(directory));
    }

    private static IReadOnlyList<string> Find()
    {
        var root = RepositoryFiles.Root;
        return [.. Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Select(project => Path.GetRelativePath(root, Path.GetDirectoryName(project)!).Replace('\\', '/'))
            .Where(folder => !folder.Split('/').Any(part => part is "Tests" or "bench" or "bin" or "obj" or "node_modules"))
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The longest dotted prefix of every namespace the project declares ("Mesh.Proxy.Core").</summary>
    private static string RootNamespace(string directory)
    {
        var namespaces = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(directory, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .Select(f => NamespaceDeclaration().Match(File.ReadAllText(f)))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Split('.'))
            .ToList();
        if (namespaces.Count == 0)
        {
            return "";
        }

        var prefix = namespaces[0].AsEnumerable();
        foreach (var parts in namespaces.Skip(1))
        {
            prefix = prefix.Zip(parts).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToList();
        }

        return string.Join('.', prefix);
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
