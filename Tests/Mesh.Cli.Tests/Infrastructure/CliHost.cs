using Mesh.Cli;
using Mesh.Cli.Commands;
using Mesh.ControlPlane.Discovery;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>
/// A real control plane (<see cref="TestControlPlane"/>, with a generated admin token in
/// <c>&lt;work&gt;/.mesh-data</c>, where meshctl finds it) and meshctl run in-process from the
/// work directory.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    private CliHost(TestControlPlane controlPlane) => ControlPlane = controlPlane;

    public TestControlPlane ControlPlane { get; }

    public string Root => ControlPlane.Root;

    public string WorkDirectory => Path.Combine(Root, "work");

    public string ConfigDirectory => ControlPlane.ConfigDirectory;

    public WebApplication App => ControlPlane.App;

    public Uri AdminUri => ControlPlane.AdminUri;

    public Uri GrpcUri => ControlPlane.GrpcUri;

    /// <param name="configFiles">Files (relative path → YAML) the config directory holds when the control plane starts.</param>
    /// <param name="bootstrapKey">The control plane's bootstrap key (it then issues VMs' tokens); none by default.</param>
    public static async Task<CliHost> StartAsync(IReadOnlyDictionary<string, string>? configFiles = null, string? bootstrapKey = null)
    {
        var options = new TestControlPlaneOptions();
        Directory.CreateDirectory(Path.Combine(options.Root, "work", "nested"));
        return new CliHost(await TestControlPlane.StartAsync(options with
        {
            DataDirectory = Path.Combine(options.Root, "work", ".mesh-data"),
            GenerateAdminToken = true,
            BootstrapKey = bootstrapKey,
            ConfigFiles = configFiles ?? new Dictionary<string, string>(),
            ConfigureServices = services => services.Replace(ServiceDescriptor.Singleton<IProxySnapshotBuilder, SampleSnapshotBuilder>()),
        }));
    }

    /// <summary>Runs meshctl against this control plane from the work directory's "nested" folder (.mesh-data is found above it).</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunInAsync(Path.Combine(WorkDirectory, "nested"), args);

    public async Task<CliResult> RunInAsync(string directory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new Dictionary<string, string?> { ["MESH_SERVER"] = AdminUri.ToString() };
        var context = new CliContext(output, error, name => environment.GetValueOrDefault(name), directory);
        var exitCode = await MeshCtl.RunAsync(args, context);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public string WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(WorkDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public ValueTask DisposeAsync() => ControlPlane.DisposeAsync();
}

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}
