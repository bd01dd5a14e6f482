using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mesh.Proxy.Core.Configuration.Probes;

/// <summary>
/// The app probes of <c>Mesh:AppProbers</c>, keyed by the admin path the kubelet calls
/// (<c>/app-health/&lt;container&gt;/livez|readyz|startupz</c>, Istio's paths). Parsing names every
/// problem with its JSON path, so a sidecar with a probe it cannot run fails at start-up instead of
/// reporting a healthy app it never checked.
/// </summary>
internal sealed partial class AppProbeSet
{
    private const string Key = "Mesh:AppProbers";

    private AppProbeSet(FrozenDictionary<string, AppProbe> probes) => Probes = probes;

    public static AppProbeSet Empty { get; } = new(FrozenDictionary<string, AppProbe>.Empty);

    public FrozenDictionary<string, AppProbe> Probes { get; }

    /// <summary>Parses the JSON; null with the errors when it is not a set of probes the sidecar can run.</summary>
    public static AppProbeSet? TryParse(string? json, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Empty;
        }

        Dictionary<string, AppProberSpec>? specs;
        try
        {
            specs = JsonSerializer.Deserialize(json, AppProberJsonContext.Default.DictionaryStringAppProberSpec);
        }
        catch (JsonException ex)
        {
            errors.Add($"{Key} is not a JSON object of probes: {ex.Message}");
            return null;
        }

        var probes = new Dictionary<string, AppProbe>(StringComparer.Ordinal);
        var before = errors.Count;
        foreach (var (path, spec) in specs ?? [])
        {
            if (Compile(path, spec, errors) is { } probe)
            {
                probes[path] = probe;
            }
        }

        return errors.Count > before ? null : new AppProbeSet(probes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static AppProbe? Compile(string path, AppProberSpec? spec, List<string> errors)
    {
        var at = $"{Key}['{path}']";
        var count = errors.Count;
        if (!ProbePath().IsMatch(path))
        {
            errors.Add($"{at}: the path must be /app-health/<container>/livez, readyz or startupz.");
        }

        if (spec is null)
        {
            errors.Add($"{at} must be an object.");
            return null;
        }

        var actions = (spec.HttpGet is null ? 0 : 1) + (spec.TcpSocket is null ? 0 : 1) + (spec.Grpc is null ? 0 : 1);
        if (actions != 1)
        {
            errors.Add($"{at} must have exactly one of httpGet, tcpSocket and grpc (it has {actions}).");
            return null;
        }

        if (spec.TimeoutSeconds < 0)
        {
            errors.Add($"{at}.timeoutSeconds must not be negative (got {spec.TimeoutSeconds}).");
        }

        var timeout = TimeSpan.FromSeconds(spec.TimeoutSeconds == 0 ? 1 : spec.TimeoutSeconds);
        AppProbe? probe = null;
        if (spec.HttpGet is { } http)
        {
            CheckPort(errors, $"{at}.httpGet.port", http.Port);
            CheckLocal(errors, $"{at}.httpGet.host", http.Host);
            var scheme = string.IsNullOrEmpty(http.Scheme) ? "HTTP" : http.Scheme;
            if (scheme is not ("HTTP" or "HTTPS"))
            {
                errors.Add($"{at}.httpGet.scheme must be HTTP or HTTPS (got '{http.Scheme}').");
            }

            var headers = new List<KeyValuePair<string, string>>();
            foreach (var (header, i) in (http.HttpHeaders ?? []).Select((h, i) => (h, i)))
            {
                if (string.IsNullOrWhiteSpace(header?.Name) || !IsToken(header.Name))
                {
                    errors.Add($"{at}.httpGet.httpHeaders[{i}].name must be an HTTP header name (got '{header?.Name}').");
                    continue;
                }

                headers.Add(new(header.Name, header.Value ?? ""));
            }

            var target = string.IsNullOrEmpty(http.Path) ? "/" : http.Path.StartsWith('/') ? http.Path : "/" + http.Path;
            probe = new AppProbe(path, AppProbeAction.HttpGet, http.Port, timeout, target, scheme == "HTTPS", headers);
        }
        else if (spec.TcpSocket is { } tcp)
        {
            CheckPort(errors, $"{at}.tcpSocket.port", tcp.Port);
            CheckLocal(errors, $"{at}.tcpSocket.host", tcp.Host);
            probe = new AppProbe(path, AppProbeAction.TcpSocket, tcp.Port, timeout);
        }
        else if (spec.Grpc is { } grpc)
        {
            CheckPort(errors, $"{at}.grpc.port", grpc.Port);
            probe = new AppProbe(path, AppProbeAction.Grpc, grpc.Port, timeout, GrpcService: grpc.Service ?? "");
        }

        return errors.Count == count ? probe : null;
    }

    private static void CheckPort(List<string> errors, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{key} must be a port number 1-65535 (got {port}); named ports are resolved by the publish step.");
        }
    }

    private static void CheckLocal(List<string> errors, string key, string? host)
    {
        if (!string.IsNullOrEmpty(host))
        {
            errors.Add($"{key} must be empty: the sidecar probes only its own app, on Mesh:AppAddress (got '{host}').");
        }
    }

    // RFC 9110 token characters.
    private static bool IsToken(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));

    [GeneratedRegex("^/app-health/[^/]+/(livez|readyz|startupz)$", RegexOptions.CultureInvariant)]
    private static partial Regex ProbePath();
}
