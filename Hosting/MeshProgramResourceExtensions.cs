using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>Adds one of the mesh's programs as an Aspire executable resource.</summary>
internal static class MeshProgramResourceExtensions
{
    /// <summary>
    /// Runs <paramref name="program"/> as <c>dotnet exec &lt;assembly&gt;</c> from its own folder
    /// (its content root: appsettings.json is there), with what Aspire gives a .NET project:
    /// the OTLP exporter settings of the dashboard and console logs the dashboard can parse.
    /// Publish mode needs no program on disk (Kubernetes runs images), so it is located only to run.
    /// </summary>
    public static IResourceBuilder<T> AddMeshProgram<T>(this IDistributedApplicationBuilder builder, T resource, MeshProgram program)
        where T : ExecutableResource
    {
        var resourceBuilder = builder.AddResource(resource);
        if (builder.ExecutionContext.IsRunMode)
        {
            var assembly = program.Locate(builder);
            resourceBuilder
                .WithWorkingDirectory(Path.GetDirectoryName(assembly)!)
                .WithArgs("exec", assembly);
        }

        return resourceBuilder
            .WithOtlpExporter()
            .WithEnvironment(context =>
            {
                if (!context.ExecutionContext.IsRunMode)
                {
                    return;
                }

                // As Aspire sets them for project resources: exception and event attributes on
                // exported logs, ANSI colours and one timestamp format in the dashboard's console view.
                var env = context.EnvironmentVariables;
                env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
                env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true";
                env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
                env["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true";
                env["LOGGING__CONSOLE__FORMATTERNAME"] = "simple";
                env["LOGGING__CONSOLE__FORMATTEROPTIONS__TIMESTAMPFORMAT"] = "yyyy-MM-ddTHH:mm:ss.fffffff ";
            });
    }
}
