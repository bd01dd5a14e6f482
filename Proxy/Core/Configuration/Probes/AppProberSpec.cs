using System.Text.Json.Serialization;

namespace Mesh.Proxy.Core.Configuration.Probes;

/// <summary>
/// One of the app's original Kubernetes probes as the publish step hands it to the sidecar
/// (<c>Mesh__AppProbers</c>, Istio's <c>ISTIO_KUBE_APP_PROBERS</c>): exactly one action with the
/// Kubernetes field names, and the probe's timeout. The kubelet probes the sidecar's admin port;
/// the sidecar runs this against the app on loopback.
/// </summary>
internal sealed class AppProberSpec
{
    [JsonPropertyName("httpGet")]
    public HttpGetSpec? HttpGet { get; set; }

    [JsonPropertyName("tcpSocket")]
    public TcpSocketSpec? TcpSocket { get; set; }

    [JsonPropertyName("grpc")]
    public GrpcSpec? Grpc { get; set; }

    /// <summary>Kubernetes' default is 1 second; 0 (absent) means that default.</summary>
    [JsonPropertyName("timeoutSeconds")]
    public int TimeoutSeconds { get; set; }

    internal sealed class HttpGetSpec
    {
        [JsonPropertyName("path")]
        public string? Path { get; set; }

        [JsonPropertyName("port")]
        public int Port { get; set; }

        /// <summary>Only the pod itself: a probe of another host is not the app's and is refused.</summary>
        [JsonPropertyName("host")]
        public string? Host { get; set; }

        [JsonPropertyName("scheme")]
        public string? Scheme { get; set; }

        [JsonPropertyName("httpHeaders")]
        public List<HttpHeaderSpec>? HttpHeaders { get; set; }
    }

    internal sealed class HttpHeaderSpec
    {
        [JsonPropertyName("name")]
        public string? Name { get; set; }

        [JsonPropertyName("value")]
        public string? Value { get; set; }
    }

    internal sealed class TcpSocketSpec
    {
        [JsonPropertyName("port")]
        public int Port { get; set; }

        [JsonPropertyName("host")]
        public string? Host { get; set; }
    }

    internal sealed class GrpcSpec
    {
        [JsonPropertyName("port")]
        public int Port { get; set; }

        /// <summary>The grpc.health.v1 service name; empty asks for the server's overall health.</summary>
        [JsonPropertyName("service")]
        public string? Service { get; set; }
    }
}

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(Dictionary<string, AppProberSpec>))]
internal sealed partial class AppProberJsonContext : JsonSerializerContext;
