using Samples.Shared;

namespace Samples.ExtAuthz;

/// <summary>
/// The server's settings: configuration section <c>ExtAuthz</c> (environment
/// <c>ExtAuthz__HttpPort</c>, …) with the Go sample's flags on top.
/// </summary>
/// <param name="HttpPort">Envoy's HTTP check API (<c>envoyExtAuthzHttp</c>), HTTP/1.1; Istio: 8000.</param>
/// <param name="GrpcPort">Envoy's gRPC check API v3 and v2 (<c>envoyExtAuthzGrpc</c>), h2c; Istio: 9000.</param>
/// <param name="HealthPort">
/// HTTP <c>/health</c> and <c>/alive</c> for Aspire and Kubernetes probes; none when null. Not on
/// the check port: every path there is a check (Envoy forwards the original path).
/// </param>
/// <param name="AllowServiceAccount">gRPC checks without an <c>x-ext-authz</c> header are allowed when the source principal ends in <c>/sa/&lt;this&gt;</c>.</param>
public sealed record ExtAuthzSettings(int HttpPort, int GrpcPort, int? HealthPort, string Address, string AllowServiceAccount)
{
    public const string SectionName = "ExtAuthz";
    public const int DefaultHttpPort = 8000;
    public const int DefaultGrpcPort = 9000;
    public const string DefaultAllowServiceAccount = "a";

    /// <exception cref="SampleConfigurationException">A setting is invalid; the message names it.</exception>
    internal static ExtAuthzSettings Read(IConfiguration configuration)
    {
        var reader = new SampleSettingsReader(configuration, SectionName);
        var address = reader.ReadListenAddress();
        var http = reader.ReadPort("HttpPort", address) ?? DefaultHttpPort;
        var grpc = reader.ReadPort("GrpcPort", address) ?? DefaultGrpcPort;
        var health = reader.ReadPort("HealthPort", address);
        reader.RequireDistinct([("HttpPort", http), ("GrpcPort", grpc), ("HealthPort", health ?? 0)]);
        return new ExtAuthzSettings(http, grpc, health, address.Text, reader.Section["AllowServiceAccount"] ?? DefaultAllowServiceAccount);
    }
}
