namespace Mesh.Testing.Proxy;

/// <summary>
/// The sidecar or gateway program a test starts as a process of its own. By default the build
/// output the test project was built with (<c>Mesh.Sidecar.dll</c>, run as <c>dotnet exec</c>);
/// with <c>MESH_TEST_SIDECAR</c> / <c>MESH_TEST_GATEWAY</c> set, another build of it — a publish
/// folder or the executable itself, such as the Native AOT build <c>tools/test-aot</c> publishes,
/// which is the build that ships (docs/containers.md).
/// </summary>
public static class ProxyProgram
{
    /// <summary>The variable that selects another build of <paramref name="program"/> (<c>Mesh.Sidecar</c> → <c>MESH_TEST_SIDECAR</c>).</summary>
    public static string VariableFor(string program) =>
        "MESH_TEST_" + program[(program.LastIndexOf('.') + 1)..].ToUpperInvariant();

    /// <summary>
    /// The program file to run: the selected build's executable, or <paramref name="builtAssembly"/>
    /// (a <c>.dll</c>, run with <c>dotnet</c>). A selected build that does not exist fails the test
    /// naming the variable, rather than silently testing the default build.
    /// </summary>
    public static string Path(string program, string builtAssembly)
    {
        var variable = VariableFor(program);
        if (Environment.GetEnvironmentVariable(variable) is not { Length: > 0 } selected)
        {
            return builtAssembly;
        }

        var file = Directory.Exists(selected) ? System.IO.Path.Combine(selected, program) : selected;
        return File.Exists(file)
            ? System.IO.Path.GetFullPath(file)
            : throw new InvalidOperationException($"{variable}={selected}: no program {file} (a publish folder holding {program}, or the executable)");
    }

    /// <summary>The command line that starts it: <c>[executable]</c>, or <c>[dotnet, exec, assembly]</c>.</summary>
    public static IReadOnlyList<string> Command(string program, string builtAssembly)
    {
        var path = Path(program, builtAssembly);
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ["dotnet", "exec", path] : [path];
    }

    /// <summary>Whether the test runs another build than the default (tests that read the build output's files say so).</summary>
    public static bool IsSelected(string program) =>
        Environment.GetEnvironmentVariable(VariableFor(program)) is { Length: > 0 };
}
