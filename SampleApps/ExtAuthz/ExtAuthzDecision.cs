namespace Samples.ExtAuthz;

/// <summary>The sample's policy and the names it answers with, exactly as Istio's Go server has them.</summary>
public static class ExtAuthzDecision
{
    public const string CheckHeader = "x-ext-authz";
    public const string AllowedValue = "allow";
    public const string ResultHeader = "x-ext-authz-check-result";
    public const string ReceivedHeader = "x-ext-authz-check-received";
    public const string OverrideHeader = "x-ext-authz-additional-header-override";
    public const string OverrideGrpcValue = "grpc-additional-header-override-value";
    public const string ResultAllowed = "allowed";
    public const string ResultDenied = "denied";
    public const string DenyBody = "denied by ext_authz for not found header `x-ext-authz: allow` in the request";

    /// <summary>Envoy rejects headers over 60 KiB, so a longer dump is replaced by this.</summary>
    public const string TooLong = "<too-long>";

    public const int MaxDumpLength = 60000;

    /// <summary>
    /// gRPC checks: the <c>x-ext-authz</c> header decides when present ("allow" or not); without
    /// it, a source principal ending in <c>/sa/&lt;allowed service account&gt;</c> is allowed.
    /// (The HTTP check only looks at the header, as in Istio's sample.)
    /// </summary>
    public static bool IsGrpcCheckAllowed(IReadOnlyDictionary<string, string>? headers, string? sourcePrincipal, string allowedServiceAccount) =>
        headers is not null && headers.TryGetValue(CheckHeader, out var value)
            ? value == AllowedValue
            : sourcePrincipal is not null && sourcePrincipal.EndsWith("/sa/" + allowedServiceAccount, StringComparison.Ordinal);

    /// <summary>Go's <c>returnIfNotTooLong</c>: its 60000 counts bytes.</summary>
    public static string IfNotTooLong(string text, int byteCount) => byteCount > MaxDumpLength ? TooLong : text;

    /// <summary>The headers every gRPC answer carries (OkHttpResponse or DeniedHttpResponse), in Istio's order.</summary>
    public static IEnumerable<(string Key, string Value)> GrpcResponseHeaders(bool allowed, string received) =>
    [
        (ResultHeader, allowed ? ResultAllowed : ResultDenied),
        (ReceivedHeader, received),
        (OverrideHeader, OverrideGrpcValue),
    ];
}
