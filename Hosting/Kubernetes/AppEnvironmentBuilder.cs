using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s.Models;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The app container's environment: what the AppHost sets for the project (evaluated in publish
/// mode and resolved by <see cref="KubernetesValueResolver"/>), with the listening addresses made
/// pod-wide. Locally an app listens on localhost; in a pod the kubelet probes it on the pod IP, so
/// "localhost" binds become "+" (other pods still reach it only through the sidecar: the Service
/// targets the sidecar, and the NetworkPolicy admits only the sidecar's ports).
/// </summary>
internal static partial class AppEnvironmentBuilder
{
    // Set by Aspire for a local run only (dashboard, dev certificates, launch profiles): meaningless in a pod.
    private static readonly string[] LocalOnlyPrefixes = ["OTEL_", "ASPIRE_", "DOTNET_DASHBOARD", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "LOGGING__CONSOLE"];

    public static async Task<List<V1EnvVar>> BuildAsync(
        MeshWorkload workload, MeshPublishModel model, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var raw = new Dictionary<string, object>(StringComparer.Ordinal);
        if (workload.App.TryGetEnvironmentVariables(out var callbacks))
        {
            foreach (var callback in callbacks)
            {
                await callback.Callback(new EnvironmentCallbackContext(executionContext, workload.App, raw, cancellationToken));
            }
        }

        var resolver = new KubernetesValueResolver(model);
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in raw)
        {
            if (LocalOnlyPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            try
            {
                env[name] = await resolver.ResolveAsync(value, workload, cancellationToken);
            }
            catch (NotSupportedException ex)
            {
                throw new InvalidOperationException($"'{workload.App.Name}': environment variable {name}: {ex.Message}", ex);
            }
        }

        MakeListenersPodWide(env, model.Plans[workload]);
        AddTelemetry(env, workload.App.Name, model.Options);
        return [.. env.Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })];
    }

    /// <summary>OpenTelemetry settings every container gets (service name always; exporter when configured).</summary>
    public static void AddTelemetry(IDictionary<string, string> env, string serviceName, KubernetesPublishOptions options)
    {
        env["OTEL_SERVICE_NAME"] = serviceName;
        if (options.OtlpEndpoint.Length > 0)
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
        }
    }

    private static void MakeListenersPodWide(SortedDictionary<string, string> env, WorkloadPortPlan plan)
    {
        foreach (var key in env.Keys.Where(k => k == "ASPNETCORE_URLS" || KestrelUrlKey().IsMatch(k)).ToList())
        {
            env[key] = LocalHost().Replace(env[key], "://+:");
        }

        var configured = env.ContainsKey("ASPNETCORE_URLS") || env.ContainsKey("HTTP_PORTS") || env.ContainsKey("ASPNETCORE_HTTP_PORTS")
            || env.Keys.Any(k => k.StartsWith("Kestrel__Endpoints__", StringComparison.OrdinalIgnoreCase));
        if (!configured)
        {
            // Nothing says where to listen: every http endpoint on its fixed port.
            var urls = plan.Workload.App.Annotations.OfType<EndpointAnnotation>()
                .Where(e => e.UriScheme == "http")
                .Select(e => $"http://+:{plan.AppPorts[e.Name]}");
            env["ASPNETCORE_URLS"] = string.Join(';', urls);
        }
    }

    [GeneratedRegex("^Kestrel__Endpoints__[^_]+__Url$", RegexOptions.IgnoreCase)]
    private static partial Regex KestrelUrlKey();

    [GeneratedRegex(@"://(localhost|127\.0\.0\.1|\[::1\]):", RegexOptions.IgnoreCase)]
    private static partial Regex LocalHost();
}
