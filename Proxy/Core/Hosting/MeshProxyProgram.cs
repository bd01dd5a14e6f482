using Mesh.Proxy.Core.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// The main program of a proxy (the sidecar's and the gateway's): builds the host with the
/// features, runs it until it is stopped, and turns what stops it from starting into lines on
/// standard error instead of a stack trace — settings it cannot run with (exit code 2, one line per
/// setting, named) and a listener it cannot open (exit code 1).
/// </summary>
public static class MeshProxyProgram
{
    /// <summary>Runs the proxy in <paramref name="mode"/> with the features <paramref name="addFeatures"/> adds; returns the exit code.</summary>
    public static int Run(string[] args, MeshProxyMode mode, Action<MeshProxyBuilder> addFeatures)
    {
        ArgumentNullException.ThrowIfNull(addFeatures);
        try
        {
            var builder = CreateBuilder(args);
            addFeatures(builder.AddMeshProxy(mode));
            var app = builder.Build();
            app.MapMeshProxy();
            app.Run();
            return 0;
        }
        catch (Exception ex) when (StartupFailure.Of(ex) is { } failure)
        {
            var program = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "proxy";
            foreach (var line in failure.Lines)
            {
                Console.Error.WriteLine($"{program}: {line}");
            }

            return failure.ExitCode;
        }
    }

    private static WebApplicationBuilder CreateBuilder(string[] args)
    {
        try
        {
            return WebApplication.CreateBuilder(args);
        }
        catch (FormatException ex)
        {
            // The command line: an argument that is no --key=value, --key value or /key value.
            throw new ProxySettingsException([$"command line: {ex.Message}"]);
        }
        catch (InvalidDataException ex)
        {
            // appsettings.json (or an environment's) that is no JSON: the message names the file and line.
            throw new ProxySettingsException([ex.Message]);
        }
    }
}
