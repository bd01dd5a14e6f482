using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Istio's WorkloadGroup rules: a template is required; the metadata labels are labels; the
/// readiness probe has non-negative numbers and exactly one method with a valid port. As in Istio,
/// the template is not validated as a WorkloadEntry (its address is the one the VM reports).
/// </summary>
internal static class WorkloadGroupValidator
{
    public static void Validate(WorkloadGroupConfig spec, ValidationContext context)
    {
        if (spec.Template is null)
        {
            context.Error("spec.template", "template is required");
        }

        if (spec.Metadata is { } metadata)
        {
            IstioRules.Labels(metadata.Labels, "spec.metadata.labels", context);
        }

        if (spec.Probe is { } probe)
        {
            ValidateProbe(probe, "spec.probe", context);
        }
    }

    private static void ValidateProbe(ReadinessProbeConfig probe, string path, ValidationContext context)
    {
        NonNegative(probe.PeriodSeconds, $"{path}.periodSeconds", "periodSeconds", context);
        NonNegative(probe.InitialDelaySeconds, $"{path}.initialDelaySeconds", "initialDelaySeconds", context);
        NonNegative(probe.TimeoutSeconds, $"{path}.timeoutSeconds", "timeoutSeconds", context);
        NonNegative(probe.SuccessThreshold, $"{path}.successThreshold", "successThreshold", context);
        NonNegative(probe.FailureThreshold, $"{path}.failureThreshold", "failureThreshold", context);

        var methods = new[] { probe.HttpGet is not null, probe.TcpSocket is not null, probe.Exec is not null, probe.Grpc is not null }.Count(set => set);
        if (methods == 0)
        {
            context.Error(path, "probe must have one health check method: httpGet, tcpSocket or exec");
        }
        else if (methods > 1)
        {
            context.Error(path, "only one of httpGet, tcpSocket, exec or grpc may be set");
        }

        if (probe.HttpGet is { } http)
        {
            Port(http.Port, $"{path}.httpGet.port", context);
            if (!string.IsNullOrEmpty(http.Scheme) && http.Scheme is not ("HTTP" or "HTTPS"))
            {
                context.Error($"{path}.httpGet.scheme", "httpGet.scheme must be one of \"HTTP\", \"HTTPS\"");
            }

            for (var i = 0; i < http.HttpHeaders.Count; i++)
            {
                // Istio: ^[-_A-Za-z0-9]+$ (no pseudo-headers: the probe is an HTTP/1.1 request).
                var name = http.HttpHeaders[i].Name ?? "";
                if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                {
                    context.Error($"{path}.httpGet.httpHeaders[{i}].name", name.Length == 0 ? "header name cannot be empty" : $"header name {name} is not a valid header name");
                }
            }
        }

        if (probe.TcpSocket is { } tcp)
        {
            Port(tcp.Port, $"{path}.tcpSocket.port", context);
        }

        if (probe.Exec is { } exec && exec.Command.Count == 0)
        {
            context.Error($"{path}.exec.command", "exec.command is required");
        }
    }

    private static void Port(uint? port, string path, ValidationContext context)
    {
        if (IstioRules.Port(port) is { } error)
        {
            context.Error(path, error);
        }
    }

    private static void NonNegative(int? value, string path, string name, ValidationContext context)
    {
        if (value < 0)
        {
            context.Error(path, $"{name} must be non-negative");
        }
    }
}
