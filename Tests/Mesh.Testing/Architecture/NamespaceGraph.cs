using System.Text.RegularExpressions;

namespace Mesh.Testing.Architecture;

/// <summary>
/// Which namespaces of a project's sources use which others, read from the sources: using
/// directives (plain, static, alias), fully qualified names in code, and types of an enclosing
/// namespace (in scope without a using). Enough to find namespace cycles without compiling.
/// </summary>
public sealed partial class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(string root) => Root = root;

    public string Root { get; }

    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>The files through which <paramref name="from"/> uses each namespace.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> UsesOf(string from) =>
        _edges.TryGetValue(from, out var uses) ? uses : new Dictionary<string, SortedSet<string>>();

    public static NamespaceGraph Read(string projectFolder, string rootNamespace)
    {
        var graph = new NamespaceGraph(rootNamespace);
        var files = Directory.EnumerateFiles(projectFolder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(projectFolder, f)))
            .Select(f => (Path: Path.GetRelativePath(projectFolder, f), Code: CommentOrString().Replace(File.ReadAllText(f), " ")))
            .Select(f => (f.Path, f.Code, Namespace: NamespaceDeclaration().Match(f.Code) is { Success: true } m ? m.Groups[1].Value : null))
            .Where(f => f.Namespace is not null)
            .ToList();

        var typesByNamespace = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            graph.Namespaces.Add(file.Namespace!);
            var types = typesByNamespace.TryGetValue(file.Namespace!, out var set) ? set : typesByNamespace[file.Namespace!] = [];
            types.UnionWith(TypeDeclaration().Matches(file.Code).Select(m => m.Groups[1].Value));
        }

        foreach (var (path, code, ns) in files)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match directive in UsingDirective().Matches(code))
            {
                var name = directive.Groups["name"].Value;
                used.Add(name);
                if (directive.Groups["static"].Success || directive.Groups["alias"].Success)
                {
                    // A static or alias using may name a type: its namespace is then the one used.
                    used.Add(name[..Math.Max(0, name.LastIndexOf('.'))]);
                }
            }

            // A qualified name uses the longest namespace it starts with; the rest names a type or member.
            var body = NamespaceOrUsingLine().Replace(code, "");
            foreach (Match qualified in Regex.Matches(body, $@"\b{Regex.Escape(rootNamespace)}(?:\.\w+)*"))
            {
                for (var name = qualified.Value; name.Length > 0; name = name[..Math.Max(0, name.LastIndexOf('.'))])
                {
                    if (graph.Namespaces.Contains(name))
                    {
                        used.Add(name);
                        break;
                    }
                }
            }

            // A name qualified relative to the file's namespace or an enclosing one (`Admin.Probes.ProbeSet`
            // inside Demo.Core.Configuration): the namespace counts when what follows it is one of its types,
            // so `Gateways.FirstOrDefault()` on a property named like a namespace is no use of it.
            foreach (Match qualified in RelativeQualifiedName().Matches(body))
            {
                if (RelativeNamespace(qualified.Value.Split('.'), ns!, graph.Namespaces, typesByNamespace) is { } target)
                {
                    used.Add(target);
                }
            }

            // Types of an enclosing namespace are in scope without a using; a type of the file's own namespace wins.
            var words = Word().Matches(body).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            words.ExceptWith(typesByNamespace[ns!]);
            for (var outer = Outer(ns!); outer is not null; outer = Outer(outer))
            {
                if (typesByNamespace.TryGetValue(outer, out var types) && types.Overlaps(words))
                {
                    used.Add(outer);
                }
            }

            foreach (var target in used.Where(u => u != ns && graph.Namespaces.Contains(u)))
            {
                var uses = graph._edges.TryGetValue(ns!, out var found) ? found : graph._edges[ns!] = new(StringComparer.Ordinal);
                (uses.TryGetValue(target, out var via) ? via : uses[target] = new(StringComparer.Ordinal)).Add(path);
            }
        }

        return graph;
    }

    /// <summary>Each cycle with the files through which its namespaces use each other; empty without cycles.</summary>
    public IReadOnlyList<string> DescribeCycles() => [.. Cycles().Select(cycle => string.Join(" <-> ", cycle) + Environment.NewLine + string.Join(Environment.NewLine,
        from user in cycle
        from use in UsesOf(user)
        where cycle.Contains(use.Key)
        select $"  {user} uses {use.Key} in {string.Join(", ", use.Value)}"))];

    /// <summary>The strongly connected components with more than one namespace (Tarjan).</summary>
    public List<List<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in UsesOf(node).Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    cycles.Add(component);
                }
            }
        }

        foreach (var node in Namespaces.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return cycles;
    }

    private static string? RelativeNamespace(string[] segments, string fileNamespace, SortedSet<string> namespaces, Dictionary<string, HashSet<string>> typesByNamespace)
    {
        for (var scope = fileNamespace; scope is not null; scope = Outer(scope))
        {
            for (var length = segments.Length - 1; length > 0; length--)
            {
                var candidate = scope + "." + string.Join('.', segments[..length]);
                if (namespaces.Contains(candidate) && typesByNamespace.TryGetValue(candidate, out var types) && types.Contains(segments[length]))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static string? Outer(string ns) => ns.LastIndexOf('.') is var dot and > 0 ? ns[..dot] : null;

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?<static>static\s+)?(?:(?<alias>\w+)\s*=\s*)?(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^\s*(?:global\s+)?(?:namespace|using)\s[^;{]*[;{]?", RegexOptions.Multiline)]
    private static partial Regex NamespaceOrUsingLine();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Z]\w*")]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<![\w.])[A-Z]\w*(?:\.[A-Z]\w*)+")]
    private static partial Regex RelativeQualifiedName();

    /// <summary>Comments and string literals: they mention names without using them.</summary>
    [GeneratedRegex(@"//[^\n]*|/\*[\s\S]*?\*/|""""""[\s\S]*?""""""|@""(?:[^""]|"""")*""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'")]
    private static partial Regex CommentOrString();
}
