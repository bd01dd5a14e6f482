using System.Collections.Frozen;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>Envoy's retry_on names (as Istio passes them through) for the supported conditions.</summary>
internal static class RetryOnNames
{
    private static readonly FrozenDictionary<string, RetryOn> Names = new Dictionary<string, RetryOn>(StringComparer.Ordinal)
    {
        ["5xx"] = RetryOn.FiveXx,
        ["gateway-error"] = RetryOn.GatewayError,
        ["reset"] = RetryOn.Reset,
        ["connect-failure"] = RetryOn.ConnectFailure,
        ["retriable-4xx"] = RetryOn.Retriable4xx,
        ["refused-stream"] = RetryOn.RefusedStream,
        ["retriable-status-codes"] = RetryOn.RetriableStatusCodes,
        ["cancelled"] = RetryOn.GrpcCancelled,
        ["deadline-exceeded"] = RetryOn.GrpcDeadlineExceeded,
        ["internal"] = RetryOn.GrpcInternal,
        ["resource-exhausted"] = RetryOn.GrpcResourceExhausted,
        ["unavailable"] = RetryOn.GrpcUnavailable,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool TryParse(string name, out RetryOn condition) => Names.TryGetValue(name, out condition);
}
