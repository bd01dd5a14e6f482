namespace Mesh.Bench.Tool.Tools;

/// <summary>How to run this tool again as a child process (the published apphost next to the assembly).</summary>
public static class SelfCommand
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "mesh-bench");
}
