using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Tcp;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>What --only picks from the HTTP/gRPC and the TCP catalogs (one name space for both).</summary>
public static class ScenarioSelection
{
    public static IReadOnlyList<string> KnownNames() =>
        [.. ScenarioCatalog.All().Select(s => s.Name), .. TcpScenarioCatalog.All().Select(s => s.Name)];

    /// <summary>Fails with the known names when --only names a configuration no catalog has.</summary>
    public static void Validate(IReadOnlyList<string>? only)
    {
        var known = KnownNames();
        var unknown = only?.Except(known).ToList() ?? [];
        if (unknown.Count > 0)
        {
            throw new UsageException($"--only: unknown configuration(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known)}");
        }
    }

    /// <summary>
    /// The configurations of <paramref name="catalog"/> to run: without --only all but those run only
    /// when named, else the named ones (in table order).
    /// </summary>
    public static List<T> Select<T>(IEnumerable<T> catalog, IReadOnlyList<string>? only)
        where T : Scenario => [.. catalog.Where(s => only is null ? !s.OnlyWhenNamed : only.Contains(s.Name))];
}
