using System.Globalization;

namespace Mesh.Proxy.Telemetry.Labels;

internal enum Reporter : byte
{
    /// <summary>The client side of a hop: the calling sidecar's outbound, or a gateway.</summary>
    Source,

    /// <summary>The server side of a hop: the called sidecar's inbound.</summary>
    Destination,
}

internal enum SecurityPolicy : byte
{
    /// <summary>What the source reports: it cannot know how the server authenticated it.</summary>
    Unknown,
    None,
    MutualTls,
}

internal enum RequestProtocol : byte
{
    Http,
    Grpc,
    Tcp,
}

/// <summary>Label values as cached strings: recording a metric never formats a number.</summary>
internal static class LabelValues
{
    private static readonly string[] Codes = Enumerable.Range(0, 600).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();

    // Span tags are objects: the usual numbers (status codes, attempts, empty bodies) are boxed once.
    private static readonly object[] BoxedInts = Enumerable.Range(0, 600).Select(c => (object)c).ToArray();
    private static readonly object BoxedZeroLong = 0L;

    public static object Boxed(int value) => (uint)value < (uint)BoxedInts.Length ? BoxedInts[value] : value;

    public static object Boxed(long value) => value == 0 ? BoxedZeroLong : value;

    public static string Code(int code) => (uint)code < (uint)Codes.Length ? Codes[code] : code.ToString(CultureInfo.InvariantCulture);

    /// <summary>gRPC status label: "" for requests without one (HTTP, or a gRPC call that got no status).</summary>
    public static string GrpcStatus(int status) => status < 0 ? string.Empty : Code(status);

    public static string Of(Reporter reporter) => reporter == Reporter.Source ? "source" : "destination";

    public static string Of(SecurityPolicy policy) => policy switch
    {
        SecurityPolicy.MutualTls => "mutual_tls",
        SecurityPolicy.None => "none",
        _ => "unknown",
    };

    public static string Of(RequestProtocol protocol) => protocol switch
    {
        RequestProtocol.Grpc => "grpc",
        RequestProtocol.Tcp => "tcp",
        _ => "http",
    };
}
