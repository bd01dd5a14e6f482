using System.Globalization;
using System.Text;
using Mesh.Config.Model;
using Mesh.ControlPlane.Common;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// How large the configuration may be (bytes of YAML as written, UTF-8): per object, and in total
/// over every source (the config directory's files and the API-applied objects). The parser keeps
/// its own cap per file or request (Config/Loading/ParserLimits); these are the control plane's
/// budget, because memory grows with configuration: every object is held parsed, validated and
/// built into every proxy shape's snapshot (docs/benchmarks.md measures it).
/// </summary>
internal sealed record ConfigSizeLimits(long MaxObjectBytes, long MaxTotalBytes)
{
    /// <summary>The origin the total-size error names: no single source is wrong, their sum is.</summary>
    public const string TotalOrigin = "(all sources)";

    public static ConfigSizeLimits Default { get; } = From(new ControlPlaneOptions());

    public static ConfigSizeLimits From(ControlPlaneOptions options) => new(options.MaxObjectBytes, options.MaxTotalConfigBytes);

    /// <summary>Errors for objects over the per-object limit, at their document.</summary>
    public IEnumerable<ConfigError> CheckObjects(IEnumerable<ConfigObject> objects)
    {
        foreach (var configObject in objects)
        {
            var size = Encoding.UTF8.GetByteCount(configObject.SourceText);
            if (size > MaxObjectBytes)
            {
                yield return new ConfigError(configObject.Source, configObject.Kind, configObject.Metadata.Name, "",
                    $"the object is {Bytes(size)}, over the limit of {Bytes(MaxObjectBytes)} per object (ControlPlane:MaxObjectBytes)");
            }
        }
    }

    /// <summary>An error when the sources (origin → bytes) add up to more than the total limit, naming the largest.</summary>
    public ConfigError? CheckTotal(IReadOnlyDictionary<string, long> bytesBySource)
    {
        var total = bytesBySource.Values.Sum();
        if (total <= MaxTotalBytes)
        {
            return null;
        }

        var largest = string.Join(", ", bytesBySource.OrderByDescending(s => s.Value).Take(3).Select(s => $"{s.Key} {Bytes(s.Value)}"));
        return new ConfigError(new ConfigSource(TotalOrigin, 0), null, null, "",
            $"the configuration would be {Bytes(total)}, over the limit of {Bytes(MaxTotalBytes)} in total (ControlPlane:MaxTotalConfigBytes); largest sources: {largest}");
    }

    private static string Bytes(long bytes) =>
        bytes >= 1024 * 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB ({bytes:N0} bytes)")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");
}
