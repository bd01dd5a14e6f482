using System.Reflection;

namespace Mesh.AppHost;

/// <summary>
/// Starts the AppHost's project resources as <c>dotnet exec &lt;their built assembly&gt;</c> instead of
/// Aspire's default <c>dotnet run --no-build --project &lt;csproj&gt;</c>. The AppHost's build has
/// already built every referenced project (that is why Aspire passes <c>--no-build</c>), but
/// <c>dotnet run</c> still starts the SDK and evaluates the project with MSBuild before it starts
/// the app: a few seconds of CPU per app, for all apps at once, at every start. The resources stay
/// Aspire projects (same names, endpoints, environment, health checks, commands, replicas); only the
/// command line changes. Where each project's assembly is comes from the AppHost assembly, recorded
/// at build time by the AppHost's MSBuild target <c>MeshRecordAppAssemblies</c> from the project
/// references' build output, as Mesh.Hosting records its own programs.
/// </summary>
internal static class BuildOutputLaunch
{
    /// <summary>The AssemblyMetadata key: one attribute per project, "&lt;project path&gt;|&lt;assembly path&gt;".</summary>
    private const string MetadataKey = "Mesh.AppHost.ProjectAssembly";

    /// <summary>
    /// Applies to every project resource declared so far (call it just before <c>Build</c>). Left to
    /// Aspire's own launch: an IDE debug session (the IDE starts and attaches to the projects),
    /// <c>dotnet watch</c> (it needs its own verb), a project whose recorded assembly is missing, and
    /// every project with <c>--AppsWithDotnetRun true</c> (to compare, or should this ever misbehave).
    /// </summary>
    public static void RunProjectsFromBuildOutput(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode
            || bool.TryParse(builder.Configuration["AppsWithDotnetRun"], out var dotnetRun) && dotnetRun
            || !string.IsNullOrEmpty(builder.Configuration["DEBUG_SESSION_PORT"])
            || string.Equals(builder.Configuration["DOTNET_WATCH"], "1", StringComparison.Ordinal)
            || bool.TryParse(builder.Configuration["DOTNET_WATCH"], out var watch) && watch)
        {
            return;
        }

        var assemblies = RecordedAssemblies(builder.AppHostAssembly);
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var projectPath = Path.GetFullPath(project.GetProjectMetadata().ProjectPath);
            if (!assemblies.TryGetValue(projectPath, out var assembly) || !File.Exists(assembly))
            {
                continue;
            }

            // The working directory stays the project's folder, as with `dotnet run` (the app's
            // content root: its appsettings.json).
            project.Annotations.Add(new ExecutableAnnotation { Command = "dotnet", WorkingDirectory = Path.GetDirectoryName(projectPath)! });
#pragma warning disable ASPIREEXTENSION001 // WithLaunchToolArgs is experimental in Aspire 13.6; suppressed here only.
            builder.CreateResourceBuilder(project).WithLaunchToolArgs(context =>
            {
                context.Args.Add("exec");
                context.Args.Add(assembly);
            });
#pragma warning restore ASPIREEXTENSION001
        }
    }

    private static Dictionary<string, string> RecordedAssemblies(Assembly? appHost)
    {
        var assemblies = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in appHost?.GetCustomAttributes<AssemblyMetadataAttribute>() ?? [])
        {
            if (attribute.Key == MetadataKey && attribute.Value?.Split('|', 2) is [var project, var assembly])
            {
                assemblies[Path.GetFullPath(project)] = assembly;
            }
        }

        return assemblies;
    }
}
