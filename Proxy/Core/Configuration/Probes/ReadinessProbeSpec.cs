using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Proxy.Core.Configuration.Probes;

/// <summary>
/// A WorkloadGroup's readiness probe as the VM's sidecar receives it (<c>Mesh__ReadinessProbe</c>,
/// JSON with Istio's <c>ReadinessProbe</c> fields; <c>meshctl workload entry configure</c> writes
/// it): exactly one of <c>httpGet</c>, <c>tcpSocket</c>, <c>exec</c>, and Kubernetes' timing fields
/// with Kubernetes' defaults.
/// </summary>
internal sealed class ReadinessProbeSpec
{
    [JsonPropertyName("initialDelaySeconds")]
    public int InitialDelaySeconds { get; set; }

    [JsonPropertyName("timeoutSeconds")]
    public int TimeoutSeconds { get; set; }

    [JsonPropertyName("periodSeconds")]
    public int PeriodSeconds { get; set; }

    [JsonPropertyName("successThreshold")]
    public int SuccessThreshold { get; set; }

    [JsonPropertyName("failureThreshold")]
    public int FailureThreshold { get; set; }

    // The action fields are Kubernetes' as for the app probers (AppProberSpec).
    [JsonPropertyName("httpGet")]
    public AppProberSpec.HttpGetSpec? HttpGet { get; set; }

    [JsonPropertyName("tcpSocket")]
    public AppProberSpec.TcpSocketSpec? TcpSocket { get; set; }

    [JsonPropertyName("exec")]
    public ExecSpec? Exec { get; set; }

    public TimeSpan InitialDelay => TimeSpan.FromSeconds(InitialDelaySeconds);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds > 0 ? TimeoutSeconds : 1);

    public TimeSpan Period => TimeSpan.FromSeconds(PeriodSeconds > 0 ? PeriodSeconds : 10);

    public int Successes => SuccessThreshold > 0 ? SuccessThreshold : 1;

    public int Failures => FailureThreshold > 0 ? FailureThreshold : 3;

    /// <summary>The probe, or null with the reasons in <paramref name="errors"/> (named by their setting).</summary>
    public static ReadinessProbeSpec? Parse(string json, List<string> errors)
    {
        const string Key = "Mesh:ReadinessProbe";
        ReadinessProbeSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize(json, ReadinessProbeJsonContext.Default.ReadinessProbeSpec);
        }
        catch (JsonException ex)
        {
            errors.Add($"{Key} is not a readiness probe in JSON: {ex.Message}");
            return null;
        }

        if (spec is null)
        {
            errors.Add($"{Key} must be a JSON object");
            return null;
        }

        var before = errors.Count;
        var methods = (spec.HttpGet is null ? 0 : 1) + (spec.TcpSocket is null ? 0 : 1) + (spec.Exec is null ? 0 : 1);
        if (methods != 1)
        {
            errors.Add($"{Key} must have exactly one of httpGet, tcpSocket or exec (it has {methods})");
        }

        if (spec.InitialDelaySeconds < 0 || spec.TimeoutSeconds < 0 || spec.PeriodSeconds < 0 || spec.SuccessThreshold < 0 || spec.FailureThreshold < 0)
        {
            errors.Add($"{Key}: initialDelaySeconds, timeoutSeconds, periodSeconds, successThreshold and failureThreshold must not be negative");
        }

        if (spec.HttpGet is { } http && (http.Port is < 1 or > 65535 || http.Scheme is not (null or "HTTP" or "HTTPS")))
        {
            errors.Add($"{Key}.httpGet needs a port from 1 to 65535 and scheme HTTP or HTTPS");
        }

        if (spec.TcpSocket is { } tcp && tcp.Port is < 1 or > 65535)
        {
            errors.Add($"{Key}.tcpSocket needs a port from 1 to 65535");
        }

        if (spec.Exec is { } exec && (exec.Command is not { Count: > 0 } || string.IsNullOrEmpty(exec.Command[0])))
        {
            errors.Add($"{Key}.exec needs a command");
        }

        return errors.Count == before ? spec : null;
    }

    internal sealed class ExecSpec
    {
        [JsonPropertyName("command")]
        public List<string>? Command { get; set; }
    }
}

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ReadinessProbeSpec))]
internal sealed partial class ReadinessProbeJsonContext : JsonSerializerContext;
