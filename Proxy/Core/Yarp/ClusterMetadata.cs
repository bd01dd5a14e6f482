using System.Globalization;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>Keys of YARP cluster metadata the mesh uses to carry per-cluster client settings.</summary>
internal static class ClusterMetadata
{
    public const string ConnectTimeoutMs = "mesh.connectTimeoutMs";
    public const string IdleTimeoutMs = "mesh.idleTimeoutMs";

    public static string FormatMilliseconds(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    public static TimeSpan? ReadMilliseconds(IReadOnlyDictionary<string, string>? metadata, string key)
        => metadata is not null && metadata.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;
}
