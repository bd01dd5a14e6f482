using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// Pairs the replicas of a meshed app (Aspire's <c>WithReplicas</c>) with their sidecars. DCP
/// starts every replica with the same environment, except what it templates per replica: each
/// replica is its own DCP Executable carrying the annotation <c>resource-replica-index</c>, which
/// DCP's Go templates read (<c>{{ index .Annotations "resource-replica-index" }}</c>, as Aspire
/// does for <c>service.instance.id</c>). So a value that must differ per replica is written once
/// as a template choosing by that index: replica <c>i</c> listens on the port sidecar <c>i</c>
/// owns and calls its upstreams through sidecar <c>i</c>'s outbound listeners (docs/replicas.md).
/// </summary>
internal static class MeshReplicaWiring
{
    /// <summary>Set by DCP on each replica's Executable (Aspire's CustomResource.ResourceReplicaIndex).</summary>
    public const string ReplicaIndexAnnotation = "resource-replica-index";

    private const string Loopback = "127.0.0.1";

    /// <summary>
    /// The port of <paramref name="endpointOf"/> on the sidecar paired with the replica that reads
    /// the value: the port itself without replicas, else a DCP template over every sidecar's port.
    /// Published manifests get the first sidecar's port (a Kubernetes pod has one app and one sidecar,
    /// and the publisher maps that sidecar's endpoints to the pod's ports).
    /// </summary>
    public static ReferenceExpression PortForReplica(MeshWorkload workload, DistributedApplicationExecutionContext execution, Func<MeshSidecarResource, EndpointReference> endpointOf)
    {
        var builder = new ReferenceExpressionBuilder();
        if (!workload.IsReplicated || !execution.IsRunMode)
        {
            builder.Append($"{endpointOf(workload.Sidecar).Property(EndpointProperty.Port)}");
            return builder.Build();
        }

        var index = $"(index .Annotations \"{ReplicaIndexAnnotation}\")";
        for (var i = 0; i < workload.Sidecars.Count; i++)
        {
            var keyword = i == 0 ? "if" : "else if";
            builder.AppendFormatted(new TemplateText($"{{{{- {keyword} eq {index} \"{i}\" -}}}}"));
            builder.Append($"{endpointOf(workload.Sidecars[i]).Property(EndpointProperty.Port)}");
        }

        builder.AppendFormatted(new TemplateText("{{- end -}}"));
        return builder.Build();
    }

    /// <summary>
    /// Makes each replica of a replicated app also listen on the port its own sidecar forwards to
    /// (127.0.0.1 only), beside the port Aspire gives it (fronted by DCP's proxy: the dashboard's
    /// link and Aspire's health checks keep working). Runs after every other environment callback
    /// of the app, so it extends what they set: <c>ASPNETCORE_URLS</c>, or one Kestrel endpoint per
    /// mesh port when the app configures Kestrel endpoints (which make Kestrel ignore the URLs).
    /// </summary>
    public static void SetAppListenEnvironment(EnvironmentCallbackContext context, MeshControlPlaneResource mesh, MeshWorkload workload)
    {
        if (!context.ExecutionContext.IsRunMode)
        {
            return;
        }

        var env = context.EnvironmentVariables;
        var kestrel = env.Keys.Any(k => k.StartsWith("Kestrel__Endpoints__", StringComparison.OrdinalIgnoreCase));
        // TCP ports: the app takes its listener from its own settings, not ASP.NET Core's (see docs/replicas.md, Limits).
        foreach (var port in MeshWiring.ServicePorts(mesh, workload).Where(p => p.Protocol is not ("TCP" or "TLS")))
        {
            var replicaPort = PortForReplica(workload, context.ExecutionContext, s => s.GetEndpoint(MeshSidecarResource.AppEndpointName(port.Name)));
            var url = ReferenceExpression.Create($"http://{Loopback}:{replicaPort}");
            if (kestrel)
            {
                var name = $"Kestrel__Endpoints__MeshInbound_{port.Name}__";
                env[name + "Url"] = url;
                env[name + "Protocols"] = port.Protocol is "GRPC" or "HTTP2" ? "Http2" : "Http1";
                continue;
            }

            env["ASPNETCORE_URLS"] = env.TryGetValue("ASPNETCORE_URLS", out var existing) && existing is not null
                ? Join(existing, url)
                : url;
        }
    }

    private static ReferenceExpression Join(object existing, ReferenceExpression url)
    {
        var builder = new ReferenceExpressionBuilder();
        switch (existing)
        {
            case string text:
                builder.AppendFormatted(new TemplateText(text));
                break;
            case ReferenceExpression expression:
                builder.Append($"{expression}");
                break;
            case IValueProvider and IManifestExpressionProvider:
                builder.AppendValueProvider(existing);
                break;
            default:
                throw new InvalidOperationException($"ASPNETCORE_URLS has a value of type {existing.GetType().Name} the mesh cannot extend.");
        }

        builder.Append($";{url}");
        return builder.Build();
    }

    /// <summary>
    /// Literal text for DCP (template delimiters included), passed as a value rather than as a
    /// format literal so that braces reach DCP exactly as written.
    /// </summary>
    private sealed class TemplateText(string text) : IValueProvider, IManifestExpressionProvider
    {
        public string ValueExpression => text;

        public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(text);
    }
}
