using Mesh.Cli;
using Mesh.Cli.Commands;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>
/// A real control plane on 127.0.0.1 (OS-picked ports, temporary directories, a generated admin
/// token in <c>&lt;work&gt;/.mesh-data</c>) and meshctl run in-process from the work directory.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    private CliHost(string root, WebApplication app)
    {
        Root = root;
        App = app;
        AdminUri = app.Services.GetRequiredService<ControlPlaneListeners>().AdminUri;
        GrpcUri = app.Services.GetRequiredService<ControlPlaneListeners>().GrpcUri;
    }

    public string Root { get; }

    public string WorkDirectory => Path.Combine(Root, "work");

    public string ConfigDirectory => Path.Combine(Root, "config");

    public WebApplication App { get; }

    public Uri AdminUri { get; }

    public Uri GrpcUri { get; }

    /// <param name="configFiles">Files (relative path → YAML) the config directory holds when the control plane starts.</param>
    public static async Task<CliHost> StartAsync(IReadOnlyDictionary<string, string>? configFiles = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "mesh-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "work", "nested"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        foreach (var (path, yaml) in configFiles ?? new Dictionary<string, string>())
        {
            File.WriteAllText(Path.Combine(root, "config", path), yaml);
        }

        var app = ControlPlaneHost.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ControlPlane:AdminPort"] = "0",
                ["ControlPlane:GrpcPort"] = "0",
                ["ControlPlane:ConfigDirectory"] = Path.Combine(root, "config"),
                ["ControlPlane:DataDirectory"] = Path.Combine(root, "work", ".mesh-data"),
                ["ControlPlane:GenerateAdminToken"] = "true",
                ["ControlPlane:FileDebounce"] = "00:00:00.050",
                ["ControlPlane:PushDebounce"] = "00:00:00.020",
                ["ControlPlane:PushMaxDelay"] = "00:00:00.200",
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.Replace(ServiceDescriptor.Singleton<IProxySnapshotBuilder, SampleSnapshotBuilder>());
        });
        await app.StartAsync();
        return new CliHost(root, app);
    }

    /// <summary>Runs meshctl against this control plane from <paramref name="directory"/> (default: the work directory, which holds .mesh-data).</summary>
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

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}
