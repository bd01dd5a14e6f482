using Mesh.Cli.Commands;
using Mesh.Testing.Workloads;

namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>meshctl in-process against a <see cref="TestMesh"/>'s control plane (real proxies behind it).</summary>
internal static class MeshCli
{
    public static async Task<CliResult> RunAsync(TestMesh mesh, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new Dictionary<string, string?>
        {
            ["MESH_SERVER"] = mesh.ControlPlane.AdminUri.ToString(),
            ["MESH_TOKEN"] = mesh.ControlPlane.Token,
        };
        var context = new CliContext(output, error, name => environment.GetValueOrDefault(name), mesh.ControlPlane.Root);
        var exitCode = await MeshCtl.RunAsync(args, context);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
