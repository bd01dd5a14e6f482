using Google.Protobuf;

namespace Samples.ExtAuthz;

/// <summary>What the v3 and v2 Check methods share: the decision, the attributes dump and the log line.</summary>
internal sealed class GrpcCheck(ExtAuthzSettings settings, ILogger<GrpcCheck> logger)
{
    /// <param name="api">"gRPCv3" or "gRPCv2", as Istio's log names them.</param>
    public (bool Allowed, string Dump) Decide(
        string api, IMessage? attributes, IReadOnlyDictionary<string, string>? headers, string? sourcePrincipal, string? host, string? path)
    {
        var allowed = ExtAuthzDecision.IsGrpcCheckAllowed(headers, sourcePrincipal, settings.AllowServiceAccount);
        var dump = ProtoTextFormatter.Format(attributes);
        ExtAuthzLog.GrpcCheck(logger, api, allowed ? ExtAuthzDecision.ResultAllowed : ExtAuthzDecision.ResultDenied, host ?? "", path ?? "", dump);
        return (allowed, dump);
    }
}
