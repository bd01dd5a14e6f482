using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Istio's probe rewriting: the app's httpGet, tcpSocket and grpc probes become httpGet probes on
/// the sidecar's admin port at <c>/app-health/&lt;container&gt;/livez|readyz|startupz</c>, and the
/// originals go to the sidecar as <c>Mesh__AppProbers</c> (Istio's <c>ISTIO_KUBE_APP_PROBERS</c>),
/// which runs them against the app on loopback. The app listens on loopback only, so the kubelet
/// (which probes the pod IP) could not reach it any more. Timing and thresholds stay on the
/// rewritten probe; the timeout also travels with the original, since the sidecar enforces it.
/// exec probes run inside the app container and stay as they are. A probe that cannot be
/// rewritten fails the publish with its name rather than leaving a probe that can never pass.
/// </summary>
internal static class AppProbeRewriter
{
    public const string EnvironmentVariable = "Mesh__AppProbers";

    /// <summary>Rewrites <paramref name="app"/>'s probes in place; returns the originals as the sidecar reads them, or null when none was rewritten.</summary>
    public static string? Rewrite(V1Container app, string workloadName)
    {
        var originals = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        app.LivenessProbe = Rewrite(app, app.LivenessProbe, "livez", "livenessProbe", workloadName, originals);
        app.ReadinessProbe = Rewrite(app, app.ReadinessProbe, "readyz", "readinessProbe", workloadName, originals);
        app.StartupProbe = Rewrite(app, app.StartupProbe, "startupz", "startupProbe", workloadName, originals);
        if (originals.Count == 0)
        {
            return null;
        }

        var json = new JsonObject();
        foreach (var (path, probe) in originals)
        {
            json[path] = probe;
        }

        return json.ToJsonString();
    }

    /// <summary>The admin path the kubelet calls for one of a container's probes (livez, readyz, startupz).</summary>
    public static string AdminPath(string container, string kind) => $"/app-health/{container}/{kind}";

    private static V1Probe? Rewrite(V1Container app, V1Probe? probe, string kind, string field, string workloadName, IDictionary<string, JsonNode> originals)
    {
        if (probe is null || probe.Exec is not null)
        {
            return probe;
        }

        var name = $"'{workloadName}': container '{app.Name}' {field}";
        JsonObject action;
        if (probe.HttpGet is { } http)
        {
            RefuseHost(name, "httpGet", http.Host);
            action = new JsonObject { ["path"] = string.IsNullOrEmpty(http.Path) ? "/" : http.Path, ["port"] = Port(app, http.Port, name + ".httpGet.port") };
            if (!string.IsNullOrEmpty(http.Scheme))
            {
                action["scheme"] = http.Scheme.ToUpperInvariant() is "HTTP" or "HTTPS" ? http.Scheme.ToUpperInvariant()
                    : throw Unrewritable(name, $"httpGet.scheme '{http.Scheme}' is neither HTTP nor HTTPS");
            }

            if (http.HttpHeaders is { Count: > 0 } headers)
            {
                action["httpHeaders"] = new JsonArray([.. headers.Select(h => (JsonNode)new JsonObject { ["name"] = h.Name, ["value"] = h.Value })]);
            }

            action = new JsonObject { ["httpGet"] = action };
        }
        else if (probe.TcpSocket is { } tcp)
        {
            RefuseHost(name, "tcpSocket", tcp.Host);
            action = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = Port(app, tcp.Port, name + ".tcpSocket.port") } };
        }
        else if (probe.Grpc is { } grpc)
        {
            var grpcAction = new JsonObject { ["port"] = grpc.Port };
            if (!string.IsNullOrEmpty(grpc.Service))
            {
                grpcAction["service"] = grpc.Service;
            }

            action = new JsonObject { ["grpc"] = grpcAction };
        }
        else
        {
            throw Unrewritable(name, "it has no httpGet, tcpSocket, grpc or exec action");
        }

        if (probe.TimeoutSeconds is { } timeout)
        {
            action["timeoutSeconds"] = timeout;
        }

        var path = AdminPath(app.Name, kind);
        originals[path] = action;
        return new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = path, Port = KubernetesPorts.ProxyAdmin },
            InitialDelaySeconds = probe.InitialDelaySeconds,
            PeriodSeconds = probe.PeriodSeconds,
            TimeoutSeconds = probe.TimeoutSeconds,
            SuccessThreshold = probe.SuccessThreshold,
            FailureThreshold = probe.FailureThreshold,
            TerminationGracePeriodSeconds = probe.TerminationGracePeriodSeconds,
        };
    }

    /// <summary>A port number, or a named port resolved against the container's ports (the sidecar cannot see names).</summary>
    private static int Port(V1Container app, IntOrString port, string name)
    {
        if (int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return app.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort
            ?? throw Unrewritable(name, $"the named port '{port.Value}' is not one of the container's ports");
    }

    private static void RefuseHost(string name, string action, string? host)
    {
        if (!string.IsNullOrEmpty(host))
        {
            throw Unrewritable(name, $"{action}.host '{host}' probes another host, and the sidecar probes only its own app on loopback");
        }
    }

    private static InvalidOperationException Unrewritable(string name, string reason) =>
        new($"{name} cannot be rewritten to go through the sidecar: {reason}. The app listens on loopback only, so the kubelet could not reach it directly either.");
}
