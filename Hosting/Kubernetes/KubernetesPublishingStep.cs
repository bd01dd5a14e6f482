using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mesh.Hosting.ApplicationModel;

// The pipeline API is Aspire's way to add a publish step; it is marked experimental in 13.x.
#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The <c>publish-kubernetes</c> pipeline step that AddMeshControlPlane registers:
/// <c>dotnet run --project AppHost -- --operation publish --step publish-kubernetes --output-path deploy</c>
/// writes the mesh's manifests to <c>deploy/</c>. It is also part of a full <c>publish</c>.
/// </summary>
internal static partial class KubernetesPublishingStep
{
    public const string StepName = "publish-kubernetes";

    public static void Register(IDistributedApplicationBuilder builder)
    {
        builder.Pipeline.AddStep(StepName, RunAsync, requiredBy: WellKnownPipelineSteps.Publish);
    }

    private static async Task RunAsync(PipelineStepContext context)
    {
        var meshes = context.Model.Resources.OfType<MeshControlPlaneResource>().ToList();
        if (meshes.Count != 1)
        {
            throw new InvalidOperationException($"{StepName} publishes one mesh per AppHost; this one declares {meshes.Count} control planes.");
        }

        var mesh = meshes[0];
        var configuration = context.Services.GetRequiredService<IConfiguration>();
        var output = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
        var options = KubernetesPublishOptions.FromConfiguration(configuration, mesh.Namespace);
        var skipped = context.Model.Resources
            .Where(r => r is ProjectResource or ContainerResource or ExecutableResource)
            .Where(r => r is not (MeshControlPlaneResource or MeshGatewayResource or MeshSidecarResource) && MeshWiring.FindWorkload(r) is null)
            .Select(r => r.Name)
            .ToList();
        if (skipped.Count > 0)
        {
            LogNotPublished(context.Logger, string.Join(", ", skipped));
        }

        var manifests = await KubernetesManifestBuilder.BuildAsync(mesh, options, context.ExecutionContext, context.CancellationToken);
        var result = KubernetesManifestWriter.Write(output, manifests);

        LogWritten(context.Logger, result.Files, output, result.Changed, result.Removed);
        context.Summary.Add("Kubernetes manifests", output);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Files} Kubernetes manifests to {Output} ({Changed} changed, {Removed} stale removed); apply with: kubectl apply -k <output>/crds && kubectl apply -k <output>")]
    private static partial void LogWritten(ILogger logger, int files, string output, int changed, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not published (not in the mesh; deploy them yourself): {Resources}")]
    private static partial void LogNotPublished(ILogger logger, string resources);
}
