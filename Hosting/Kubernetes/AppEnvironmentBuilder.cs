using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s.Models;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The app container's environment: what the AppHost sets for the project (evaluated in publish
/// mode and resolved by <see cref="KubernetesValueResolver"/>), with every listening address on
/// loopback. Only the sidecar (same pod, same network namespace) reaches the app, so the app's
/// ports are no way around the sidecar's mTLS and authorization even where NetworkPolicy is not
/// enforced; the kubelet's probes go through the sidecar too (<see cref="AppProbeRewriter"/>).
/// </summary>
internal static partial class AppEnvironmentBuilder
{
    // Set by Aspire for a local run only (dashboard, dev certificates, launch profiles): meaningless in a pod.
    private static readonly string[] LocalOnlyPrefixes = ["OTEL_", "ASPIRE_", "DOTNET_DASHBOARD", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "LOGGING__CONSOLE"];

    // Kestrel's port shorthands listen on every interface (http://*:port); ASPNETCORE_URLS and
    // Kestrel endpoints take precedence over them.
    private static readonly (string Key, string Scheme)[] PortKeys =
        [("HTTP_PORTS", "http"), ("ASPNETCORE_HTTP_PORTS", "http"), ("DOTNET_HTTP_PORTS", "http"), ("HTTPS_PORTS", "https"), ("ASPNETCORE_HTTPS_PORTS", "https"), ("DOTNET_HTTPS_PORTS", "https")];

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

        BindLoopback(env, workload, model.Plans[workload]);
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

    private static void BindLoopback(SortedDictionary<string, string> env, MeshWorkload workload, WorkloadPortPlan plan)
    {
        var urlKeys = env.Keys.Where(k => k is "ASPNETCORE_URLS" or "DOTNET_URLS" || KestrelUrlKey().IsMatch(k)).ToList();
        foreach (var key in urlKeys)
        {
            env[key] = string.Join(';', env[key].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(url => Loopback(url, key, workload)));
        }

        var shorthands = new List<string>();
        foreach (var (key, scheme) in PortKeys.Where(p => env.ContainsKey(p.Key)))
        {
            shorthands.AddRange(env[key].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"{scheme}://127.0.0.1:{port}"));
            env.Remove(key);
        }

        if (urlKeys.Count > 0)
        {
            return;
        }

        // Nothing but shorthands, or nothing at all, says where to listen: the shorthands' ports,
        // else every http(s) endpoint on its fixed port — on loopback.
        var urls = shorthands.Count > 0 ? shorthands : plan.Workload.App.Annotations.OfType<EndpointAnnotation>()
            .Where(e => e.UriScheme is "http" or "https")
            .Select(e => $"{e.UriScheme}://127.0.0.1:{plan.AppPorts[e.Name]}")
            .ToList();
        if (urls.Count > 0)
        {
            env["ASPNETCORE_URLS"] = string.Join(';', urls);
        }
    }

    /// <summary>One listening URL with its host made 127.0.0.1; a URL naming another address cannot be, and fails the publish.</summary>
    private static string Loopback(string url, string key, MeshWorkload workload)
    {
        var match = ListenUrl().Match(url);
        if (!match.Success)
        {
            throw new InvalidOperationException($"'{workload.App.Name}': environment variable {key}: '{url}' is not a scheme://host:port listening URL, so it cannot be bound to loopback.");
        }

        var host = match.Groups["host"].Value;
        if (host is not ("+" or "*" or "0.0.0.0" or "[::]" or "127.0.0.1" or "[::1]") && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"'{workload.App.Name}': environment variable {key}: '{url}' listens on {host}; in a pod a meshed app listens on loopback only (127.0.0.1), so that nothing but its sidecar reaches it.");
        }

        return $"{match.Groups["scheme"].Value}://127.0.0.1:{match.Groups["rest"].Value}";
    }

    [GeneratedRegex(@"^(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://(?<host>\[[^\]]*\]|[^:/]+):(?<rest>\d+.*)$")]
    private static partial Regex ListenUrl();

    [GeneratedRegex("^Kestrel__Endpoints__[^_]+__Url$", RegexOptions.IgnoreCase)]
    private static partial Regex KestrelUrlKey();
}
